// What a WASI module can and cannot do with sockets, one answer per line ("NAME N",
// N a WASI errno). Run with --listen PORT (the listener at fd 3) and a client in the
// background that connects once /tmp/ready exists, sends "hello", shuts its side
// down and prints what it got back (test/system/wasi-sockets.test.ts). Everything
// here is the module's own doing through the preview1 imports: it names descriptors
// it was not given, flags and buffers that are wrong, and pointers off its memory.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define SHOW(name, expr) printf("%s %d\n", name, (int)(expr))
#define BAD_PTR 0xfffffff0u

static __wasi_fd_t find_dir(void) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t p;
    if (__wasi_fd_prestat_get(fd, &p) == 0 && p.tag == __WASI_PREOPENTYPE_DIR) return fd;
  }
  return 0;
}

int main(void) {
  __wasi_fd_t listener = 3, c = 0, dir = find_dir();
  __wasi_fdstat_t st;
  __wasi_prestat_t pre;
  __wasi_size_t n = 0;
  __wasi_roflags_t ro = 0;
  char buf[64];

  SHOW("fdstat_listener", __wasi_fd_fdstat_get(listener, &st));
  SHOW("listener_type", st.fs_filetype);
  SHOW("prestat_listener", __wasi_fd_prestat_get(listener, &pre));
  SHOW("prestat_listener_tag", pre.tag);
  SHOW("dir_after_listener", dir > listener);

  // Accepting on what is not a preopened listener.
  SHOW("accept_dir", __wasi_sock_accept(dir, 0, &c));
  SHOW("accept_stdin", __wasi_sock_accept(0, 0, &c));
  SHOW("accept_closed_fd", __wasi_sock_accept(99, 0, &c));
  SHOW("accept_bad_flags", __wasi_sock_accept(listener, __WASI_FDFLAGS_APPEND, &c));
  SHOW("accept_bad_pointer", __wasi_sock_accept(listener, 0, (__wasi_fd_t *)BAD_PTR));
  SHOW("set_nonblock", __wasi_fd_fdstat_set_flags(listener, __WASI_FDFLAGS_NONBLOCK));
  SHOW("accept_nonblocking_empty", __wasi_sock_accept(listener, 0, &c));
  SHOW("recv_listener", __wasi_sock_recv(listener, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 1, 0, &n, &ro));
  SHOW("send_listener", __wasi_sock_send(listener, &(__wasi_ciovec_t){ (const uint8_t *)"x", 1 }, 1, 0, &n));
  SHOW("set_blocking", __wasi_fd_fdstat_set_flags(listener, 0));

  // Socket calls on a regular file.
  __wasi_fd_t f = 0;
  SHOW("open_file", __wasi_path_open(dir, 0, "tmp/plain", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
  SHOW("send_file", __wasi_sock_send(f, &(__wasi_ciovec_t){ (const uint8_t *)"x", 1 }, 1, 0, &n));
  SHOW("recv_file", __wasi_sock_recv(f, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 1, 0, &n, &ro));
  SHOW("shutdown_file", __wasi_sock_shutdown(f, __WASI_SDFLAGS_WR));
  SHOW("accept_file", __wasi_sock_accept(f, 0, &c));
  SHOW("shutdown_dir", __wasi_sock_shutdown(dir, __WASI_SDFLAGS_WR));

  // Now let the client come, and take its connection.
  __wasi_fd_t ready = 0;
  SHOW("ready", __wasi_path_open(dir, 0, "tmp/ready", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &ready));
  SHOW("accept", __wasi_sock_accept(listener, 0, &c));
  SHOW("fdstat_connection", __wasi_fd_fdstat_get(c, &st));
  SHOW("conn_type", st.fs_filetype);
  SHOW("accept_on_connection", __wasi_sock_accept(c, 0, &f));

  // Bad flags and buffers on the connection: errnos, and no byte lost to them.
  SHOW("recv_bad_flags", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 1, 4, &n, &ro));
  SHOW("send_bad_flags", __wasi_sock_send(c, &(__wasi_ciovec_t){ (const uint8_t *)"x", 1 }, 1, 1, &n));
  SHOW("shutdown_how_0", __wasi_sock_shutdown(c, 0));
  SHOW("shutdown_how_4", __wasi_sock_shutdown(c, 4));
  SHOW("recv_iovs_off_memory", __wasi_sock_recv(c, (const __wasi_iovec_t *)BAD_PTR, 1, 0, &n, &ro));
  SHOW("recv_buffer_off_memory", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)BAD_PTR, 100 }, 1, 0, &n, &ro));
  SHOW("recv_huge_iovs_len", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 0x10000000, 0, &n, &ro));
  SHOW("recv_result_off_memory", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 1, 0, (__wasi_size_t *)BAD_PTR, &ro));
  SHOW("send_buffer_off_memory", __wasi_sock_send(c, &(__wasi_ciovec_t){ (const uint8_t *)BAD_PTR, 100 }, 1, 0, &n));
  SHOW("send_huge_length", __wasi_sock_send(c, &(__wasi_ciovec_t){ (const uint8_t *)buf, 0x7fffffff }, 1, 0, &n));

  // The client's five bytes: peeked, then read with WAITALL across two buffers.
  memset(buf, 0, sizeof buf);
  SHOW("peek", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)buf, 5 }, 1, __WASI_RIFLAGS_RECV_PEEK, &n, &ro));
  printf("peeked %.*s\n", (int)n, buf);
  memset(buf, 0, sizeof buf);
  __wasi_iovec_t two[2] = { { (uint8_t *)buf, 2 }, { (uint8_t *)buf + 2, 3 } };
  SHOW("recv_waitall", __wasi_sock_recv(c, two, 2, __WASI_RIFLAGS_RECV_WAITALL, &n, &ro));
  printf("received %u %.*s roflags %u\n", (unsigned)n, (int)n, buf, (unsigned)ro);
  SHOW("send", __wasi_sock_send(c, (const __wasi_ciovec_t[]){ { (const uint8_t *)"wor", 3 }, { (const uint8_t *)"ld", 2 } }, 2, 0, &n));
  printf("sent bytes %u\n", (unsigned)n);
  SHOW("shutdown_wr", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  SHOW("recv_end", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 1, 0, &n, &ro));
  printf("end bytes %u\n", (unsigned)n);

  // The peer is gone: a send is an errno (EPIPE), not a signal that kills the module.
  __wasi_errno_t e = 0;
  for (int i = 0; i < 3 && e == 0; i++) e = __wasi_sock_send(c, &(__wasi_ciovec_t){ (const uint8_t *)"late", 4 }, 1, 0, &n);
  SHOW("send_after_peer_left", e);
  SHOW("close", __wasi_fd_close(c));
  SHOW("recv_closed", __wasi_sock_recv(c, &(__wasi_iovec_t){ (uint8_t *)buf, 4 }, 1, 0, &n, &ro));
  printf("done\n");
  return 0;
}
