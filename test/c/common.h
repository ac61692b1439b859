// Shared by the project's C test programs (test/c/*.c, built to wasm32-wasi by
// scripts/build-c.mjs). A failed check prints file:line, the expression and errno
// on stderr and exits 1; a test that reaches its end prints "ok NAME" and exits 0.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(cond) do { if (!(cond)) { \
  fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, errno, strerror(errno)); \
  exit(1); } } while (0)

// `expr` must fail with -1 (or NULL for pointers, via CHECK_ERRNO_PTR) and set errno to `e`.
#define CHECK_ERRNO(expr, e) do { errno = 0; long r_ = (long)(expr); if (r_ != -1 || errno != (e)) { \
  fprintf(stderr, "%s:%d: %s gave %ld, errno %d (%s); expected -1, errno %d (%s)\n", __FILE__, __LINE__, #expr, r_, \
    errno, strerror(errno), (e), strerror(e)); exit(1); } } while (0)

static inline void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  CHECK(close(fd) == 0);
}

static inline char *read_file(const char *path) {
  static char buf[65536];
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  CHECK(n >= 0);
  buf[n] = 0;
  CHECK(close(fd) == 0);
  return buf;
}
