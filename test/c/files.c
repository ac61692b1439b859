// Files: create, read, write, append, pread/pwrite, truncate, times, unlink, errors.
#include "common.h"
#include <sys/time.h>

int main(void) {
  CHECK(strcmp(read_file("hello.txt"), "hello\n") == 0);
  CHECK(strcmp(read_file("/hello.txt"), "hello\n") == 0);

  write_file("new.txt", "abc");
  CHECK(strcmp(read_file("new.txt"), "abc") == 0);
  CHECK_ERRNO(open("new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK_ERRNO(open("missing.txt", O_RDONLY), ENOENT);
  CHECK_ERRNO(open("missing/x.txt", O_RDONLY), ENOENT);
  CHECK_ERRNO(open("hello.txt/x", O_RDONLY), ENOTDIR);
  CHECK_ERRNO(open(".", O_WRONLY), EISDIR);

  int fd = open("new.txt", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK(write(fd, "def", 3) == 3);
  char b[16];
  CHECK_ERRNO(read(fd, b, 1), EBADF);
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);
  CHECK(close(fd) == 0);
  CHECK(strcmp(read_file("new.txt"), "abcdef") == 0);
  CHECK_ERRNO(close(fd), EBADF);

  fd = open("new.txt", O_RDWR);
  CHECK(fd >= 0);
  CHECK(pwrite(fd, "XY", 2, 1) == 2);
  memset(b, 0, sizeof b);
  CHECK(pread(fd, b, 4, 2) == 4);
  CHECK(memcmp(b, "Ydef", 4) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 0); // pread/pwrite leave the offset alone
  CHECK(ftruncate(fd, 2) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  CHECK(st.st_size == 2 && S_ISREG(st.st_mode));
  CHECK(ftruncate(fd, 10000) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 10000);
  CHECK(pread(fd, b, 4, 5000) == 4 && memcmp(b, "\0\0\0\0", 4) == 0);
  CHECK(close(fd) == 0);

  // Times: set mtime to a fixed instant and read it back.
  struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
  CHECK(utimensat(AT_FDCWD, "new.txt", ts, 0) == 0);
  CHECK(stat("new.txt", &st) == 0);
  CHECK(st.st_mtim.tv_sec == 1234567890);
  CHECK(st.st_atim.tv_sec == 1000000000);

  // A large write and read back in one call each.
  static char big[200000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7);
  fd = open("big.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, big, sizeof big) == (ssize_t)sizeof big);
  static char back[200000];
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  size_t got = 0;
  while (got < sizeof back) { ssize_t n = read(fd, back + got, sizeof back - got); CHECK(n > 0); got += (size_t)n; }
  CHECK(memcmp(big, back, sizeof big) == 0);
  CHECK(close(fd) == 0);

  CHECK(unlink("new.txt") == 0);
  CHECK_ERRNO(open("new.txt", O_RDONLY), ENOENT);
  CHECK_ERRNO(unlink("new.txt"), ENOENT);
  printf("ok files\n");
  return 0;
}
