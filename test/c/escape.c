// A hostile program's attempts to leave its sandbox; each must fail, and the program
// checks what it can see from inside. The caller (test/system/escape-shares.test.ts)
// checks the outside.
//
//   escape preopen DIR [SECRET]  DIR is a preopen. A directory fd under it keeps its
//     directory: rename the directory away, put a symlink in its place (with SECRET,
//     a path below '/', one that climbs to '/' with '..'s; else "."), then
//     openat(dirfd, ...) must find the moved directory, not what the link points to;
//     '..' and the climbing link are EPERM, as wasmtime answers, and a link to an
//     absolute path cannot even be made (EPERM, as wasmtime).
//   escape share DIR CANARY      DIR is a preopen on a host share, CANARY a host path
//     outside it. An open file keeps its file when its name is swapped for a symlink
//     that climbs to CANARY (read, append, ftruncate); utimensat(AT_SYMLINK_NOFOLLOW)
//     on such a link sets the link's times.
#include "common.h"
#include <time.h>

static char path_buf[3][1024];

// Enough '..'s to climb from anywhere in the tree to '/'.
#define UP "../../../../../../../../../../../../../../../../../../../../../../../.."

static char up_buf[2048];
static const char *climb(const char *abs) {
  snprintf(up_buf, sizeof up_buf, "%s%s", UP, abs);
  return up_buf;
}

static const char *in(int slot, const char *dir, const char *name) {
  snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
  return path_buf[slot];
}

static void preopen_attack(const char *dir, const char *secret) {
  CHECK(mkdir(in(0, dir, "sub"), 0755) == 0);
  int sub = open(in(0, dir, "sub"), O_RDONLY | O_DIRECTORY);
  CHECK(sub >= 0);
  CHECK(rename(in(0, dir, "sub"), in(1, dir, "moved")) == 0);
  CHECK_ERRNO(symlink("/", in(0, dir, "sub")), EPERM);
  CHECK(symlink(secret != NULL ? UP : ".", in(0, dir, "sub")) == 0);
  const char *target = secret != NULL ? secret : "inside.txt";
  // The fd is the moved directory, which holds nothing yet.
  CHECK_ERRNO(openat(sub, target, O_RDONLY), ENOENT);
  int fd = openat(sub, "planted", O_WRONLY | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "planted\n", 8) == 8);
  CHECK(close(fd) == 0);
  CHECK(strcmp(read_file(in(2, dir, "moved/planted")), "planted\n") == 0);
  struct stat st;
  CHECK(fstatat(sub, "planted", &st, 0) == 0 && st.st_size == 8);
  // '..' may not climb out of the directory fd, nor out of the preopen.
  CHECK_ERRNO(openat(sub, "../../planted", O_RDONLY), EPERM);
  CHECK_ERRNO(openat(sub, "..", O_RDONLY | O_DIRECTORY), EPERM);
  if (secret != NULL) {
    // Through the preopen, the link climbs to "/": not followed out.
    CHECK_ERRNO(open(in(2, dir, "sub/planted"), O_RDONLY), EPERM);
    CHECK_ERRNO(open(in(2, dir, "sub/planted2"), O_WRONLY | O_CREAT, 0644), EPERM);
  }
  CHECK(close(sub) == 0);
  printf("ok escape\n");
}

static void share_attack(const char *dir, const char *canary) {
  write_file(in(0, dir, "f"), "inside\n");
  int fd = open(in(0, dir, "f"), O_RDWR);
  int app = open(in(0, dir, "f"), O_WRONLY | O_APPEND);
  CHECK(fd >= 0 && app >= 0);
  // Swap the name for a symlink to the canary outside the share.
  CHECK(unlink(in(0, dir, "f")) == 0);
  CHECK_ERRNO(symlink(canary, in(0, dir, "f")), EPERM);
  CHECK(symlink(climb(canary), in(0, dir, "f")) == 0);
  // The link is the guest's to resolve; under a preopen one that leaves it is refused.
  CHECK_ERRNO(open(in(0, dir, "f"), O_RDONLY), EPERM);
  char buf[64] = { 0 };
  CHECK(pread(fd, buf, sizeof buf - 1, 0) == 7 && strcmp(buf, "inside\n") == 0);
  CHECK(write(app, "X", 1) == 1);
  memset(buf, 0, sizeof buf);
  CHECK(pread(fd, buf, sizeof buf - 1, 0) == 8 && strcmp(buf, "inside\nX") == 0);
  CHECK(ftruncate(fd, 3) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 3);
  CHECK(close(fd) == 0 && close(app) == 0);
  // A link's own times, not its target's.
  CHECK(symlink(climb(canary), in(1, dir, "l2")) == 0);
  struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
  CHECK(utimensat(AT_FDCWD, in(1, dir, "l2"), ts, AT_SYMLINK_NOFOLLOW) == 0);
  CHECK(lstat(in(1, dir, "l2"), &st) == 0 && st.st_mtim.tv_sec == 1000000000);
  printf("ok escape-share\n");
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "preopen") == 0) preopen_attack(argv[2], argc >= 4 ? argv[3] : NULL);
  else if (argc == 4 && strcmp(argv[1], "share") == 0) share_attack(argv[2], argv[3]);
  else { fprintf(stderr, "usage: escape preopen DIR [SECRET] | escape share DIR CANARY\n"); return 2; }
  return 0;
}
