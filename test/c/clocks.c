// Clocks: realtime is after 2020, monotonic never goes back, sleeping lasts at least
// what was asked, resolutions are sane, the CPU-time clock runs.
#include "common.h"
#include <sys/time.h>
#include <time.h>

static long long ns(clockid_t id) {
  struct timespec ts;
  CHECK(clock_gettime(id, &ts) == 0);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
  CHECK(ns(CLOCK_REALTIME) > 1577836800LL * 1000000000LL);
  CHECK(time(NULL) > 1577836800);
  struct timeval tv;
  CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1577836800);
  long long last = ns(CLOCK_MONOTONIC);
  for (int i = 0; i < 1000; i++) { long long t = ns(CLOCK_MONOTONIC); CHECK(t >= last); last = t; }
  struct timespec res;
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
  CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
  long long before = ns(CLOCK_MONOTONIC);
  struct timespec nap = { 0, 20 * 1000000 };
  CHECK(nanosleep(&nap, NULL) == 0);
  CHECK(ns(CLOCK_MONOTONIC) - before >= 20 * 1000000LL);
  before = ns(CLOCK_MONOTONIC);
  CHECK(usleep(5000) == 0);
  CHECK(ns(CLOCK_MONOTONIC) - before >= 5 * 1000000LL);
  CHECK(ns(CLOCK_PROCESS_CPUTIME_ID) >= 0);
  CHECK(clock() >= 0);
  printf("ok clocks\n");
  return 0;
}
