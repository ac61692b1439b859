// Directories: mkdir, nested paths, rmdir and its errors, stat, opendir, chdir.
#include "common.h"
#include <dirent.h>

int main(void) {
  CHECK(mkdir("a", 0755) == 0);
  CHECK(mkdir("a/b", 0755) == 0);
  CHECK_ERRNO(mkdir("a", 0755), EEXIST);
  CHECK_ERRNO(mkdir("nope/c", 0755), ENOENT);
  struct stat st;
  CHECK(stat("a/b", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK(stat("a/b/..", &st) == 0 && S_ISDIR(st.st_mode));
  write_file("a/b/f.txt", "x");
  CHECK(strcmp(read_file("a/./b/../b/f.txt"), "x") == 0);
  CHECK_ERRNO(rmdir("a"), ENOTEMPTY);
  CHECK_ERRNO(rmdir("a/b/f.txt"), ENOTDIR);
  CHECK_ERRNO(unlink("a/b"), EISDIR);
  CHECK(opendir("hello.txt") == NULL && errno == ENOTDIR);
  CHECK(opendir("missing") == NULL && errno == ENOENT);

  // A directory fd can be opened and stat-ed.
  int dfd = open("a", O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  CHECK(fstat(dfd, &st) == 0 && S_ISDIR(st.st_mode));
  char c;
  CHECK_ERRNO(read(dfd, &c, 1), EBADF); // wasmtime: EBADF (Linux would say EISDIR)
  CHECK_ERRNO(write(dfd, "x", 1), EBADF);
  CHECK(close(dfd) == 0);
  // readdir on a file descriptor that is not a directory.
  int ffd = open("hello.txt", O_RDONLY);
  CHECK(ffd >= 0);
  CHECK(fdopendir(ffd) == NULL && errno == EBADF); // fd_readdir on a file: EBADF, as wasmtime
  CHECK(close(ffd) == 0);

  // wasi-libc keeps its own cwd: relative paths follow chdir.
  CHECK(chdir("a") == 0);
  CHECK(strcmp(read_file("b/f.txt"), "x") == 0);
  CHECK(chdir("/") == 0);

  CHECK(unlink("a/b/f.txt") == 0);
  CHECK(rmdir("a/b") == 0);
  CHECK(rmdir("a") == 0);
  CHECK_ERRNO(rmdir("a"), ENOENT);
  printf("ok dirs\n");
  return 0;
}
