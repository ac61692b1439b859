// lseek to 2^63-1 returns a negative offset: an offset a float64 cannot hold exactly
// is refused (EINVAL), never rounded into a negative one; the offset is left alone.
#include "common.h"
#include <stdint.h>

int main(void) {
  int fd = open("m.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "abc", 3) == 3);
  CHECK_ERRNO(lseek(fd, INT64_MAX, SEEK_SET), EINVAL);
  CHECK_ERRNO(lseek(fd, INT64_MAX - 2, SEEK_CUR), EINVAL);
  CHECK_ERRNO(lseek(fd, INT64_MIN, SEEK_END), EINVAL);
  CHECK(lseek(fd, 0, SEEK_CUR) == 3);
  off_t big = ((off_t)1 << 53) - 1;
  CHECK(lseek(fd, big, SEEK_SET) == big);
  CHECK(lseek(fd, 0, SEEK_CUR) >= 0);
  CHECK(close(fd) == 0);
  CHECK(unlink("m.bin") == 0);
  printf("ok seek_max\n");
  return 0;
}
