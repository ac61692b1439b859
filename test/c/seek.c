// Seeking: SET/CUR/END, holes past the end, bad whence and negative offsets.
#include "common.h"

int main(void) {
  int fd = open("s.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "0123456789", 10) == 10);
  CHECK(lseek(fd, 0, SEEK_CUR) == 10);
  CHECK(lseek(fd, 2, SEEK_SET) == 2);
  char c;
  CHECK(read(fd, &c, 1) == 1 && c == '2');
  CHECK(lseek(fd, 3, SEEK_CUR) == 6);
  CHECK(read(fd, &c, 1) == 1 && c == '6');
  CHECK(lseek(fd, -1, SEEK_END) == 9);
  CHECK(read(fd, &c, 1) == 1 && c == '9');
  CHECK(read(fd, &c, 1) == 0);
  CHECK_ERRNO(lseek(fd, -20, SEEK_CUR), EINVAL);
  CHECK_ERRNO(lseek(fd, 0, 17), EINVAL);
  // A write past the end leaves a hole that reads as zeros.
  CHECK(lseek(fd, 100, SEEK_SET) == 100);
  CHECK(write(fd, "end", 3) == 3);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 103);
  char buf[90];
  CHECK(pread(fd, buf, sizeof buf, 10) == (ssize_t)sizeof buf);
  for (size_t i = 0; i < sizeof buf; i++) CHECK(buf[i] == 0);
  CHECK(close(fd) == 0);
  // stdio on top: fseek/ftell.
  FILE *f = fopen("s.bin", "r");
  CHECK(f != NULL);
  CHECK(fseek(f, 100, SEEK_SET) == 0);
  CHECK(fgetc(f) == 'e');
  CHECK(ftell(f) == 101);
  CHECK(fclose(f) == 0);
  printf("ok seek\n");
  return 0;
}
