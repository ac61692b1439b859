// wasi-httpd: a static HTTP/1.1 file server written against WASI preview1 alone, as
// a program for `wasmtime run --tcplisten ADDR` is written: it cannot open a socket,
// so it serves the listening socket the runtime preopened (kernelkit: --listen, or
// KERNELKIT_WASI_LISTEN) and takes its connections with sock_accept, reads requests
// with sock_recv and answers with sock_send.
//
//   wasi-httpd [-v] [-n COUNT] [DIR]      (DIR defaults to /srv)
//
// The listener is the first descriptor from 3 up whose fd_fdstat_get says
// SOCKET_STREAM. The runtime puts listeners before the preopened directories; under
// wasmtime fd_prestat_get refuses the listener with EBADF, which ends wasi-libc's
// start-up scan for directories there, so they are registered here as well
// (kernelkit answers with a non-directory preopen type and wasi-libc steps over it;
// registering twice is harmless).
//
// One connection at a time: a request head of at most 8 KiB, read within 5 seconds;
// GET and HEAD of a regular file below DIR (a ".." segment is 403, other methods 405),
// answered with Content-Length and "Connection: close". -n COUNT ends the server after
// COUNT connections (tests); -v logs each request on stderr. Built by
// scripts/build-c.mjs into /bin/wasi-httpd.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#include <wasi/libc.h>

#define HEAD_MAX 8192
#define HEAD_TIMEOUT_MS 5000
#define CHUNK 65536

static int verbose = 0;

// Registers every preopened directory from fd 3 up with wasi-libc (see above); stops
// after a run of closed descriptors.
static void register_directories(void) {
  int closed = 0;
  for (__wasi_fd_t fd = 3; closed < 8 && fd < 1024; fd++) {
    __wasi_prestat_t pre;
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) != 0) { closed++; continue; }
    closed = 0;
    if (__wasi_fd_prestat_get(fd, &pre) != 0 || pre.tag != __WASI_PREOPENTYPE_DIR) continue;
    char name[4096];
    size_t len = pre.u.dir.pr_name_len;
    if (len >= sizeof name || __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0) continue;
    name[len] = '\0';
    __wasilibc_register_preopened_fd(fd, name);
  }
}

static int find_listener(void) {
  for (__wasi_fd_t fd = 3; fd < 1024; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) != 0) return -1;
    if (st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return (int)fd;
  }
  return -1;
}

// Sends all of buf; 0 on success, -1 when the peer went away.
static int send_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, 0);
    if (n < 0) { if (errno == EINTR) continue; return -1; }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static void answer(int fd, int status, const char *reason, const char *body) {
  char head[256];
  int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", status, reason, strlen(body));
  if (send_all(fd, head, (size_t)n) == 0) send_all(fd, body, strlen(body));
}

// Reads a request head (up to the blank line) into buf; its length, or -1.
static int read_head(int fd, char *buf) {
  int used = 0;
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, HEAD_TIMEOUT_MS);
    if (r <= 0) { if (verbose) fprintf(stderr, "wasi-httpd: poll: %d %s\n", r, r < 0 ? strerror(errno) : "timeout"); return -1; }
    ssize_t n = recv(fd, buf + used, HEAD_MAX - 1 - used, 0);
    if (n <= 0) { if (verbose) fprintf(stderr, "wasi-httpd: recv: %zd %s revents %x\n", n, n < 0 ? strerror(errno) : "end", p.revents); return -1; }
    used += (int)n;
    buf[used] = '\0';
    if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n") != NULL) return used;
    if (used >= HEAD_MAX - 1) return -2;
  }
}

// Whether a request target names something below the root: no "..", no NUL, no backslash.
static int safe_target(const char *t) {
  if (t[0] != '/') return 0;
  for (const char *s = t; *s; s++) if (*s == '\\' || *s == '%') return 0;
  for (const char *s = t; (s = strstr(s, "..")) != NULL; s += 2) {
    int starts = s[-1] == '/';
    int ends = s[2] == '/' || s[2] == '\0';
    if (starts && ends) return 0;
  }
  return 1;
}

static void serve(int fd, const char *root) {
  static char head[HEAD_MAX];
  int n = read_head(fd, head);
  if (n == -2) { answer(fd, 431, "Request Header Fields Too Large", "head too large\n"); return; }
  if (n < 0) return;
  char method[16], target[2048];
  if (sscanf(head, "%15s %2047s", method, target) != 2) { answer(fd, 400, "Bad Request", "bad request\n"); return; }
  if (verbose) fprintf(stderr, "wasi-httpd: %s %s\n", method, target);
  int head_only = strcmp(method, "HEAD") == 0;
  if (!head_only && strcmp(method, "GET") != 0) { answer(fd, 405, "Method Not Allowed", "only GET and HEAD\n"); return; }
  char *query = strchr(target, '?');
  if (query != NULL) *query = '\0';
  if (!safe_target(target)) { answer(fd, 403, "Forbidden", "forbidden\n"); return; }
  char path[4096];
  snprintf(path, sizeof path, "%s%s", root, target);
  int file = open(path, O_RDONLY);
  struct stat st;
  if (file < 0 || fstat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (file >= 0) close(file);
    answer(fd, 404, "Not Found", "not found\n");
    return;
  }
  char reply[256];
  int len = snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n", (long long)st.st_size);
  if (send_all(fd, reply, (size_t)len) == 0 && !head_only) {
    static char buf[CHUNK];
    ssize_t got;
    while ((got = read(file, buf, sizeof buf)) > 0) if (send_all(fd, buf, (size_t)got) != 0) break;
  }
  close(file);
}

int main(int argc, char **argv) {
  long count = -1;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-v") == 0) verbose = 1;
    else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) count = strtol(argv[++i], NULL, 10);
    else { fprintf(stderr, "usage: wasi-httpd [-v] [-n COUNT] [DIR]\n"); return 2; }
  }
  const char *root = i < argc ? argv[i] : "/srv";
  register_directories();
  int listener = find_listener();
  if (listener < 0) {
    fprintf(stderr, "wasi-httpd: no preopened listening socket (run it with --listen PORT)\n");
    return 1;
  }
  if (verbose) fprintf(stderr, "wasi-httpd: serving %s on fd %d\n", root, listener);
  for (long served = 0; count < 0 || served < count; served++) {
    __wasi_fd_t conn;
    __wasi_errno_t e = __wasi_sock_accept((__wasi_fd_t)listener, 0, &conn);
    if (e == __WASI_ERRNO_INTR || e == __WASI_ERRNO_CONNABORTED) { served--; continue; }
    if (e != 0) { fprintf(stderr, "wasi-httpd: sock_accept: %s\n", strerror(e)); return 1; }
    serve((int)conn, root);
    (void)__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR);
    close((int)conn);
  }
  return 0;
}
