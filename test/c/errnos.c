// The answers of WASI calls at their corners, one line each ("WHAT -> ERRNO [detail]"),
// made straight on the preview1 imports in the preopen fd 3 (an empty directory).
// test/wasi/errnos.test.ts runs it under node:wasi (uvwasi) and in kernelkit and
// compares the lines; where they differ this layer answers as wasmtime does
// (docs/wasi.md lists each case). Reads fd 0, which the caller makes a pipe.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3
#define SHOW(what, expr) do { __wasi_errno_t e_ = (expr); printf("%s -> %u\n", what, (unsigned)e_); } while (0)

static __wasi_fd_t open_at(const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights, __wasi_fdflags_t fdflags, __wasi_errno_t *err) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  *err = __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights, 0, fdflags, &fd);
  return fd;
}

static void flags_of(const char *what, __wasi_fd_t fd) {
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
  printf("%s fdstat -> %u type %u flags %u\n", what, (unsigned)e, e == 0 ? st.fs_filetype : 0, e == 0 ? st.fs_flags : 0);
}

int main(void) {
  __wasi_errno_t e;
  __wasi_fd_t f = open_at("f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_FILESTAT_GET, 0, &e);
  printf("create f -> %u\n", (unsigned)e);
  __wasi_size_t n = 0;
  __wasi_ciovec_t hello = { (const uint8_t *)"hello", 5 };
  SHOW("write hello", __wasi_fd_write(f, &hello, 1, &n));
  flags_of("f", f);

  // fd_fdstat_set_flags: APPEND sends writes to the end wherever the offset is.
  __wasi_filesize_t pos = 0;
  SHOW("seek 0", __wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
  SHOW("set_flags APPEND", __wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_APPEND));
  flags_of("f after APPEND", f);
  __wasi_ciovec_t x = { (const uint8_t *)"X", 1 };
  SHOW("write X", __wasi_fd_write(f, &x, 1, &n));
  char buf[32] = { 0 };
  __wasi_iovec_t in = { (uint8_t *)buf, sizeof buf - 1 };
  SHOW("pread", __wasi_fd_pread(f, &in, 1, 0, &n));
  printf("content %s\n", buf);
  SHOW("set_flags 0", __wasi_fd_fdstat_set_flags(f, 0));
  flags_of("f after 0", f);
  SHOW("set_flags NONBLOCK", __wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_NONBLOCK));
  flags_of("f after NONBLOCK", f);
  SHOW("set_flags DSYNC", __wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_DSYNC));
  SHOW("set_flags SYNC", __wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_SYNC));
  SHOW("set_flags RSYNC", __wasi_fd_fdstat_set_flags(f, __WASI_FDFLAGS_RSYNC));
  SHOW("set_flags on the preopen", __wasi_fd_fdstat_set_flags(DIR, 0));
  SHOW("set_flags on stdout", __wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND));
  SHOW("set_flags on fd 99", __wasi_fd_fdstat_set_flags(99, 0));
  __wasi_fd_t g = open_at("g", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_DSYNC, &e);
  printf("open g APPEND|DSYNC -> %u\n", (unsigned)e);
  flags_of("g", g);

  // Opening.
  open_at("f", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open file with O_DIRECTORY -> %u\n", (unsigned)e);
  open_at("f/", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open file with a trailing slash -> %u\n", (unsigned)e);
  open_at("f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open existing with CREAT|EXCL -> %u\n", (unsigned)e);
  open_at("missing", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open missing -> %u\n", (unsigned)e);
  open_at("../outside", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open .. out of the preopen -> %u\n", (unsigned)e);
  open_at("/etc/passwd", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open an absolute path -> %u\n", (unsigned)e);

  // Symlinks.
  SHOW("symlink to an absolute path", __wasi_path_symlink("/etc", DIR, "abs"));
  SHOW("symlink that climbs out", __wasi_path_symlink("../..", DIR, "up"));
  open_at("up/x", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open through the climbing link -> %u\n", (unsigned)e);
  __wasi_filestat_t fst;
  SHOW("stat follow the climbing link", __wasi_path_filestat_get(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up", &fst));
  e = __wasi_path_filestat_get(DIR, 0, "up", &fst);
  printf("stat nofollow the climbing link -> %u type %u\n", (unsigned)e, e == 0 ? fst.filetype : 0);
  uint8_t link[64];
  SHOW("readlink through the climbing link", __wasi_path_readlink(DIR, "up/x", link, sizeof link, &n));
  SHOW("symlink loop a", __wasi_path_symlink("loop-b", DIR, "loop-a"));
  SHOW("symlink loop b", __wasi_path_symlink("loop-a", DIR, "loop-b"));
  open_at("loop-a", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open a loop -> %u\n", (unsigned)e);
  SHOW("readlink a file", __wasi_path_readlink(DIR, "f", link, sizeof link, &n));
  SHOW("link out of the preopen", __wasi_path_link(DIR, 0, "f", DIR, "../stolen"));
  SHOW("rename out of the preopen", __wasi_path_rename(DIR, "f", DIR, "../stolen"));

  // Directories and files mixed up.
  SHOW("mkdir existing", __wasi_path_create_directory(DIR, "f"));
  SHOW("rmdir a file", __wasi_path_remove_directory(DIR, "f"));
  SHOW("mkdir d", __wasi_path_create_directory(DIR, "d"));
  SHOW("unlink a directory", __wasi_path_unlink_file(DIR, "d"));
  SHOW("read the preopen", __wasi_fd_read(DIR, &in, 1, &n));
  SHOW("write the preopen", __wasi_fd_write(DIR, &x, 1, &n));
  SHOW("seek the preopen", __wasi_fd_seek(DIR, 0, __WASI_WHENCE_CUR, &pos));
  SHOW("set_size of the preopen", __wasi_fd_filestat_set_size(DIR, 0));
  SHOW("readdir a file", __wasi_fd_readdir(f, (uint8_t *)buf, sizeof buf, 0, &n));
  SHOW("prestat of a file", __wasi_fd_prestat_get(f, &(__wasi_prestat_t){ 0 }));
  SHOW("prestat_dir_name of a file", __wasi_fd_prestat_dir_name(f, (uint8_t *)buf, sizeof buf));

  // Rights and open modes.
  __wasi_fd_t ro = open_at("f", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("open f read-only -> %u\n", (unsigned)e);
  SHOW("set_size read-only", __wasi_fd_filestat_set_size(ro, 0));
  SHOW("write read-only", __wasi_fd_write(ro, &x, 1, &n));
  SHOW("set_times read-only", __wasi_fd_filestat_set_times(ro, 5, 5, __WASI_FSTFLAGS_MTIM));
  SHOW("read read-only", __wasi_fd_read(ro, &in, 1, &n));
  // A right the program gave up itself: refused by both (wasmtime ignores fd_fdstat_set_rights).
  __wasi_fd_t rw = open_at("f", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, &e);
  printf("open f read-write -> %u\n", (unsigned)e);
  SHOW("drop the set_size right", __wasi_fd_fdstat_set_rights(rw, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0));
  SHOW("set_size after dropping the right", __wasi_fd_filestat_set_size(rw, 0));
  SHOW("take the right back", __wasi_fd_fdstat_set_rights(rw, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0));
  SHOW("set_times with ATIM and ATIM_NOW", __wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));

  // Sockets calls on things that are not sockets; pipes.
  __wasi_size_t got = 0;
  __wasi_roflags_t ro_flags = 0;
  SHOW("sock_recv on a file", __wasi_sock_recv(f, &in, 1, 0, &got, &ro_flags));
  SHOW("sock_send on a file", __wasi_sock_send(f, &x, 1, 0, &got));
  SHOW("sock_shutdown on a file", __wasi_sock_shutdown(f, __WASI_SDFLAGS_RD));
  __wasi_fd_t acc;
  SHOW("sock_accept on a file", __wasi_sock_accept(f, 0, &acc));
  SHOW("sock_recv on fd 99", __wasi_sock_recv(99, &in, 1, 0, &got, &ro_flags));
  SHOW("seek stdin (a pipe)", __wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos));
  SHOW("close fd 99", __wasi_fd_close(99));
  SHOW("close f", __wasi_fd_close(f));
  SHOW("write closed f", __wasi_fd_write(f, &x, 1, &n));
  printf("done\n");
  return 0;
}
