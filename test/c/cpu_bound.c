// CPU-bound work (a sieve of Eratosthenes and an integer hash, repeated): the
// benchmark binary for "hosting adds nothing to pure computation". Prints the prime
// count and a checksum; with BENCH set in the environment it also prints the time
// the work took by its own monotonic clock on stderr.
#include "common.h"
#include <stdint.h>
#include <time.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  int rounds = argc > 2 ? atoi(argv[2]) : 1;
  CHECK(n > 2 && rounds > 0);
  char *composite = malloc((size_t)n + 1);
  CHECK(composite != NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long primes = 0;
  uint32_t hash = 2166136261u;
  for (int r = 0; r < rounds; r++) {
    memset(composite, 0, (size_t)n + 1);
    primes = 0;
    for (long i = 2; i <= n; i++) {
      if (composite[i]) continue;
      primes++;
      hash = (hash ^ (uint32_t)i) * 16777619u;
      if (i <= n / i) for (long j = i * i; j <= n; j += i) composite[j] = 1;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%ld primes up to %ld, hash %08x\n", primes, n, hash);
  if (getenv("BENCH") != NULL) {
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    fprintf(stderr, "cpu_bound: %lld us\n", ns / 1000);
  }
  free(composite);
  return 0;
}
