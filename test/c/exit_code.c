// Exit codes: exit(N) with N from argv, after flushing buffered stdout.
#include "common.h"

int main(int argc, char **argv) {
  CHECK(argc == 2);
  printf("exiting with %s\n", argv[1]);
  exit(atoi(argv[1]));
}
