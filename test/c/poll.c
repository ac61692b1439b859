// poll: a regular file is readable and writable at once; stdin with data is readable;
// a timeout alone sleeps at least that long; no fds and a zero timeout return 0.
#include "common.h"
#include <poll.h>
#include <time.h>

static long long mono(void) {
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
  write_file("p.txt", "data");
  int fd = open("p.txt", O_RDWR);
  CHECK(fd >= 0);
  struct pollfd p[2] = { { fd, POLLIN, 0 }, { fd, POLLOUT, 0 } };
  CHECK(poll(p, 2, 1000) == 2);
  CHECK((p[0].revents & POLLIN) != 0);
  CHECK((p[1].revents & POLLOUT) != 0);
  CHECK(close(fd) == 0);

  struct pollfd in = { 0, POLLIN, 0 };
  CHECK(poll(&in, 1, 1000) == 1 && (in.revents & POLLIN) != 0);
  char buf[16];
  CHECK(read(0, buf, sizeof buf) == 6 && memcmp(buf, "input\n", 6) == 0);

  long long before = mono();
  CHECK(poll(NULL, 0, 30) == 0);
  CHECK(mono() - before >= 30 * 1000000LL);
  CHECK(poll(NULL, 0, 0) == 0);

  struct pollfd badfd = { 77, POLLIN, 0 };
  CHECK(poll(&badfd, 1, 0) == 1 && (badfd.revents & POLLNVAL) != 0);
  printf("ok poll\n");
  return 0;
}
