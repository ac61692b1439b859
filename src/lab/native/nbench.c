/*
 * nbench: the lab's workloads on the host OS itself ("Linux on this machine"), the
 * native column beside kernelkit's presets. Built by the lab at run time with the
 * host's C compiler (src/lab/native.ts); prints one JSON line per workload in the
 * shape kbench prints inside kernelkit (src/user/bin/kbench.ts):
 *   {"workload", "n", "median_ns", "p99_ns", "mean_ns", "throughput"?, "unit"?, "samples"}
 *
 *   nbench -s SCALE -S MAX -d DIR -t TRUE -c SCRIPT WORKLOAD...
 *
 *   null, getpid  syscall(SYS_getpid); a sample is the mean of a batch of 100 calls,
 *                 so the clock read (~20 ns) does not count as syscall time
 *   ipc           1-byte round trip to a forked child over two pipes
 *   spawn         posix_spawn of TRUE (a program that only returns 0) + waitpid
 *   pipe          4 MiB through a pipe from a forked child (64 KiB writes) + waitpid
 *   smallfile     in DIR: open(O_CREAT) + write 100 B + close, stat, unlink
 *   seqio         in DIR: write 4 MiB in 64 KiB writes + fsync, read it back
 *   script        posix_spawn of /bin/sh -c SCRIPT + waitpid
 *
 * Exit status 1 and {"workload", "error"} when an operation fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MiB (1 << 20)
#define CHUNK (64 << 10)

static double scale = 1;
static int keep = 2000;
static const char *dir = "/dev/shm";
static const char *true_path = "true";
static const char *script = "true";
static char failure[8192];

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int count(double base, int floor) {
  int n = (int)lround(base * scale);
  return n < floor ? floor : n;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double at(const double *sorted, int n, double q) {
  int k = (int)ceil(q * n) - 1;
  if (k < 0) k = 0;
  if (k > n - 1) k = n - 1;
  return sorted[k];
}

/* Prints the JSON line; bytes > 0 adds throughput in MB/s (MiB per second, as kbench). */
static void report(const char *name, double *samples, int n, double bytes) {
  double *sorted = malloc(sizeof(double) * (size_t)n), sum = 0;
  memcpy(sorted, samples, sizeof(double) * (size_t)n);
  qsort(sorted, (size_t)n, sizeof(double), cmp);
  for (int i = 0; i < n; i++) sum += samples[i];
  double med = at(sorted, n, 0.5);
  printf("{\"workload\":\"%s\",\"n\":%d,\"median_ns\":%.0f,\"p99_ns\":%.0f,\"mean_ns\":%.0f", name, n, med, at(sorted, n, 0.99), sum / n);
  if (bytes > 0) printf(",\"throughput\":%.2f,\"unit\":\"MB/s\"", bytes / MiB / (med / 1e9));
  printf(",\"samples\":[");
  int m = n < keep ? n : keep;
  for (int i = 0; i < m; i++) printf("%s%.1f", i ? "," : "", samples[(long)i * n / m]);
  printf("]}\n");
  fflush(stdout);
  free(sorted);
}

#define FAIL(...) do { snprintf(failure, sizeof failure, __VA_ARGS__); return -1; } while (0)

static int wait_ok(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int bench_getpid(const char *name) {
  int n = count(2000, 1000), batch = 100;
  double *s = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < 1000; i++) syscall(SYS_getpid);
  for (int i = 0; i < n; i++) {
    double t0 = now_ns();
    for (int j = 0; j < batch; j++) syscall(SYS_getpid);
    s[i] = (now_ns() - t0) / batch;
  }
  report(name, s, n, 0);
  free(s);
  return 0;
}

static int bench_ipc(void) {
  int n = count(20000, 2000), warm = 500, to[2], from[2];
  if (pipe(to) < 0 || pipe(from) < 0) FAIL("pipe: %s", strerror(errno));
  pid_t child = fork();
  if (child < 0) FAIL("fork: %s", strerror(errno));
  if (child == 0) {
    char c;
    close(to[1]); close(from[0]);
    while (read(to[0], &c, 1) == 1) if (write(from[1], &c, 1) != 1) _exit(1);
    _exit(0);
  }
  close(to[0]); close(from[1]);
  double *s = malloc(sizeof(double) * (size_t)n);
  char c = 'x';
  for (int i = 0; i < warm + n; i++) {
    double t0 = now_ns();
    if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1) FAIL("pipe round trip: %s", strerror(errno));
    if (i >= warm) s[i - warm] = now_ns() - t0;
  }
  close(to[1]);
  close(from[0]);
  if (wait_ok(child) < 0) FAIL("echo child failed");
  report("ipc", s, n, 0);
  free(s);
  return 0;
}

static int spawn_wait(const char *path, char *const argv[]) {
  pid_t pid;
  int e = posix_spawn(&pid, path, NULL, NULL, argv, environ);
  if (e != 0) { errno = e; return -1; }
  return wait_ok(pid);
}

static int bench_spawn(void) {
  int n = count(300, 40);
  double *s = malloc(sizeof(double) * (size_t)n);
  char *argv[] = { "true", NULL };
  for (int i = 0; i < 3; i++) if (spawn_wait(true_path, argv) < 0) FAIL("posix_spawn %s failed", true_path);
  for (int i = 0; i < n; i++) {
    double t0 = now_ns();
    if (spawn_wait(true_path, argv) < 0) FAIL("posix_spawn %s failed", true_path);
    s[i] = now_ns() - t0;
  }
  report("spawn", s, n, 0);
  free(s);
  return 0;
}

static int bench_pipe(void) {
  int n = count(30, 10), bytes = 4 * MiB;
  static char buf[CHUNK];
  memset(buf, 'a', sizeof buf);
  double *s = malloc(sizeof(double) * (size_t)n);
  for (int i = -1; i < n; i++) {
    int fds[2];
    double t0 = now_ns();
    if (pipe(fds) < 0) FAIL("pipe: %s", strerror(errno));
    pid_t child = fork();
    if (child < 0) FAIL("fork: %s", strerror(errno));
    if (child == 0) {
      close(fds[0]);
      for (int done = 0; done < bytes; done += CHUNK) if (write(fds[1], buf, CHUNK) != CHUNK) _exit(1);
      _exit(0);
    }
    close(fds[1]);
    static char in[CHUNK];
    long got = 0;
    for (ssize_t r; (r = read(fds[0], in, sizeof in)) > 0;) got += r;
    close(fds[0]);
    if (wait_ok(child) < 0 || got != bytes) FAIL("pipe: read %ld of %d bytes", got, bytes);
    if (i >= 0) s[i] = now_ns() - t0;
  }
  report("pipe", s, n, bytes);
  free(s);
  return 0;
}

static int bench_smallfile(void) {
  int n = count(3000, 500);
  char data[100], path[4096];
  memset(data, 'x', sizeof data);
  double *s = malloc(sizeof(double) * (size_t)n);
  struct stat st;
  for (int i = -20; i < n; i++) {
    snprintf(path, sizeof path, "%s/kb-f%d", dir, (i + 20) % 16);
    double t0 = now_ns();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) FAIL("open %s: %s", path, strerror(errno));
    if (write(fd, data, sizeof data) != sizeof data) FAIL("write: %s", strerror(errno));
    close(fd);
    if (stat(path, &st) < 0) FAIL("stat: %s", strerror(errno));
    if (unlink(path) < 0) FAIL("unlink: %s", strerror(errno));
    if (i >= 0) s[i] = now_ns() - t0;
  }
  report("smallfile", s, n, 0);
  free(s);
  return 0;
}

static int bench_seqio(void) {
  int n = count(10, 5), bytes = 4 * MiB;
  static char block[CHUNK];
  memset(block, 7, sizeof block);
  char path[4096];
  snprintf(path, sizeof path, "%s/kb-seq", dir);
  double *s = malloc(sizeof(double) * (size_t)n);
  for (int i = -1; i < n; i++) {
    double t0 = now_ns();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) FAIL("open %s: %s", path, strerror(errno));
    for (int done = 0; done < bytes; done += CHUNK) if (write(fd, block, CHUNK) != CHUNK) FAIL("write: %s", strerror(errno));
    if (fsync(fd) < 0) FAIL("fsync: %s", strerror(errno));
    close(fd);
    fd = open(path, O_RDONLY);
    if (fd < 0) FAIL("open %s: %s", path, strerror(errno));
    long got = 0;
    for (ssize_t r; (r = read(fd, block, CHUNK)) > 0;) got += r;
    close(fd);
    if (got != bytes) FAIL("read back %ld of %d bytes", got, bytes);
    if (i >= 0) s[i] = now_ns() - t0;
  }
  unlink(path);
  report("seqio", s, n, 2.0 * bytes);
  free(s);
  return 0;
}

static int bench_script(void) {
  int n = count(30, 10);
  double *s = malloc(sizeof(double) * (size_t)n);
  char *argv[] = { "sh", "-c", (char *)script, NULL };
  for (int i = -1; i < n; i++) {
    double t0 = now_ns();
    if (spawn_wait("/bin/sh", argv) < 0) FAIL("/bin/sh -c script failed");
    if (i >= 0) s[i] = now_ns() - t0;
  }
  report("script", s, n, 0);
  free(s);
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-s") && i + 1 < argc) { scale = atof(argv[++i]); continue; }
    if (!strcmp(a, "-S") && i + 1 < argc) { keep = atoi(argv[++i]); if (keep < 1) keep = 1; continue; }
    if (!strcmp(a, "-d") && i + 1 < argc) { dir = argv[++i]; continue; }
    if (!strcmp(a, "-t") && i + 1 < argc) { true_path = argv[++i]; continue; }
    if (!strcmp(a, "-c") && i + 1 < argc) { script = argv[++i]; continue; }
    int r;
    failure[0] = 0;
    if (!strcmp(a, "null") || !strcmp(a, "getpid")) r = bench_getpid(a);
    else if (!strcmp(a, "ipc")) r = bench_ipc();
    else if (!strcmp(a, "spawn")) r = bench_spawn();
    else if (!strcmp(a, "pipe")) r = bench_pipe();
    else if (!strcmp(a, "smallfile")) r = bench_smallfile();
    else if (!strcmp(a, "seqio")) r = bench_seqio();
    else if (!strcmp(a, "script")) r = bench_script();
    else { snprintf(failure, sizeof failure, "unknown workload"); r = -1; }
    if (r < 0) {
      /* The message is ours (no quotes or backslashes in it but a path's). */
      for (char *c = failure; *c; c++) if (*c == '"' || *c == '\\') *c = '\'';
      printf("{\"workload\":\"%s\",\"error\":\"%s\"}\n", a, failure);
      fflush(stdout);
      status = 1;
    }
  }
  return status;
}
