// stdin/stdout/stderr through pipes: copy stdin to stdout upper-cased, in small
// reads; stdin is not a terminal and cannot seek; report on stderr.
#include "common.h"
#include <ctype.h>

int main(void) {
  CHECK(!isatty(0));
  CHECK(lseek(0, 0, SEEK_CUR) == -1);
  char buf[7];
  long total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    CHECK(n >= 0);
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    CHECK(write(1, buf, (size_t)n) == n);
    total += n;
  }
  fprintf(stderr, "copied %ld bytes\n", total);
  return 0;
}
