// A seeded random walk over file operations (open, pwrite, pread, write, read, seek,
// truncate, rename, unlink, mkdir, rmdir, stat). Every operation prints one line:
// what it did, its result and its errno. Run with the same seed on two WASI
// implementations, the outputs must be identical (test/wasi compares against
// node:wasi); the seed is argv[1], the number of operations argv[2].
#include "common.h"
#include <stdint.h>

static uint32_t state;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

static const char *names[] = { "f0", "f1", "f2", "d0/f3", "d0", "d1" };
#define NNAMES 6
static int fds[4] = { -1, -1, -1, -1 };
static unsigned char buf[8192];

static void report(const char *op, const char *a, long r) {
  printf("%s %s -> %ld", op, a, r);
  if (r < 0) printf(" errno %d", errno);
  printf("\n");
}

int main(int argc, char **argv) {
  state = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1;
  if (state == 0) state = 1;
  int ops = argc > 2 ? atoi(argv[2]) : 1000;
  printf("seed %s\n", argc > 1 ? argv[1] : "1");
  CHECK(mkdir("d0", 0755) == 0);
  for (int i = 0; i < ops; i++) {
    const char *name = names[next() % NNAMES];
    int slot = (int)(next() % 4);
    long off = (long)(next() % 20000);
    size_t len = (size_t)(next() % sizeof buf);
    errno = 0;
    switch (next() % 12) {
      case 0: {
        if (fds[slot] >= 0) close(fds[slot]);
        int flags = (int[]){ O_RDONLY, O_RDWR | O_CREAT, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR | O_APPEND | O_CREAT, O_RDWR | O_CREAT | O_EXCL }[next() % 5];
        fds[slot] = open(name, flags, 0644);
        report("open", name, fds[slot] < 0 ? -1 : 0);
        break;
      }
      case 1: {
        for (size_t k = 0; k < len; k++) buf[k] = (unsigned char)(i + k);
        report("pwrite", name, fds[slot] < 0 ? -2 : (long)pwrite(fds[slot], buf, len, off));
        break;
      }
      case 2: {
        long r = fds[slot] < 0 ? -2 : (long)pread(fds[slot], buf, len, off);
        uint32_t h = 0;
        for (long k = 0; k < r; k++) h = h * 31 + buf[k];
        printf("pread %ld -> %ld hash %08x%s\n", off, r, h, r < 0 ? " (error)" : "");
        break;
      }
      case 3: {
        for (size_t k = 0; k < len; k++) buf[k] = (unsigned char)(i * 7 + k);
        report("write", name, fds[slot] < 0 ? -2 : (long)write(fds[slot], buf, len));
        break;
      }
      case 4: {
        long r = fds[slot] < 0 ? -2 : (long)read(fds[slot], buf, len);
        uint32_t h = 0;
        for (long k = 0; k < r; k++) h = h * 31 + buf[k];
        printf("read -> %ld hash %08x\n", r, h);
        break;
      }
      case 5: report("lseek", name, fds[slot] < 0 ? -2 : (long)lseek(fds[slot], off - 5000, (int)(next() % 3))); break;
      case 6: report("ftruncate", name, fds[slot] < 0 ? -2 : (long)ftruncate(fds[slot], off)); break;
      case 7: report("rename", name, (long)rename(name, names[next() % NNAMES])); break;
      case 8: report("unlink", name, (long)unlink(name)); break;
      case 9: report("mkdir", name, (long)mkdir(name, 0755)); break;
      case 10: report("rmdir", name, (long)rmdir(name)); break;
      case 11: {
        struct stat st;
        long r = stat(name, &st);
        printf("stat %s -> %ld", name, r);
        if (r == 0) printf(" %s size %lld nlink %llu", S_ISDIR(st.st_mode) ? "dir" : "file", S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size, (unsigned long long)st.st_nlink);
        else printf(" errno %d", errno);
        printf("\n");
        break;
      }
    }
  }
  for (int k = 0; k < 4; k++) if (fds[k] >= 0) close(fds[k]);
  printf("done\n");
  return 0;
}
