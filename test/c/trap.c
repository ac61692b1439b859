// A trap (here: unreachable) ends the process with status 134 and a message.
#include <stdio.h>
int main(void) {
  printf("before the trap\n");
  fflush(stdout);
  __builtin_trap();
}
