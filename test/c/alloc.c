// Allocates 1 MiB blocks until malloc fails or a cap (argv[1], MiB) is reached, and
// says which came first: the program behind the RLIMIT_AS tests (under a limit,
// memory.grow fails and malloc returns NULL instead of the host running out).
#include "common.h"

int main(int argc, char **argv) {
  long cap = argc > 1 ? atol(argv[1]) : 16;
  CHECK(cap > 0);
  // Kept and read back, so the compiler cannot elide the allocations.
  char **blocks = calloc((size_t)cap, sizeof *blocks);
  CHECK(blocks != NULL);
  long n = 0;
  while (n < cap) {
    char *block = malloc(1 << 20);
    if (block == NULL) break;
    block[0] = (char)n; // touch one byte: the rest stays unbacked on the host
    blocks[n++] = block;
  }
  long sum = 0;
  for (long i = 0; i < n; i++) { sum += blocks[i][0]; free(blocks[i]); }
  free(blocks);
  printf("allocated %ld MiB, %s (check %ld)\n", n, n < cap ? "then malloc failed" : "reached the cap", sum % 7);
  return 0;
}
