// Allocates 1 MiB blocks until malloc fails or a cap (argv[1], MiB) is reached, and
// says which came first: the program behind the RLIMIT_AS tests (under a limit,
// memory.grow fails and malloc returns NULL instead of the host running out).
#include "common.h"

int main(int argc, char **argv) {
  long cap = argc > 1 ? atol(argv[1]) : 16;
  CHECK(cap > 0);
  long n = 0;
  while (n < cap) {
    char *block = malloc(1 << 20);
    if (block == NULL) break;
    block[0] = (char)n; // touch one byte: the rest stays unbacked on the host
    n++;
  }
  printf("allocated %ld MiB, %s\n", n, n < cap ? "then malloc failed" : "reached the cap");
  return 0;
}
