/* The README's first C program: compiled by clang inside kernelkit, run as a WASI program. */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("hello from C, %d argument(s)\n", argc - 1);
  for (int i = 1; i < argc; i++) printf("  %s\n", argv[i]);
  return 0;
}
