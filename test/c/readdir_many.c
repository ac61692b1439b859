// readdir over a directory with many entries: every name exactly once, across the
// several fd_readdir calls (and cookies) wasi-libc needs; rewinddir, seekdir/telldir.
#include "common.h"
#include <dirent.h>

#define N 1500

int main(void) {
  static char seen[N];
  CHECK(mkdir("many", 0755) == 0);
  char name[64];
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "many/entry-with-a-longish-name-%04d", i);
    int fd = open(name, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK(close(fd) == 0);
  }
  DIR *d = opendir("many");
  CHECK(d != NULL);
  for (int pass = 0; pass < 2; pass++) {
    memset(seen, 0, sizeof seen);
    int dots = 0, count = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) { dots++; CHECK(e->d_type == DT_DIR); continue; }
      int i;
      CHECK(sscanf(e->d_name, "entry-with-a-longish-name-%d", &i) == 1 && i >= 0 && i < N);
      CHECK(seen[i] == 0);
      CHECK(e->d_type == DT_REG);
      seen[i] = 1;
      count++;
    }
    CHECK(errno == 0);
    CHECK(count == N);
    CHECK(dots == 2);
    rewinddir(d);
  }
  // telldir/seekdir: come back to the 700th entry.
  long pos = 0;
  char at[256] = "";
  for (int i = 0; i < 700; i++) { CHECK(readdir(d) != NULL); }
  pos = telldir(d);
  struct dirent *e = readdir(d);
  CHECK(e != NULL);
  strcpy(at, e->d_name);
  for (int i = 0; i < 100; i++) CHECK(readdir(d) != NULL);
  seekdir(d, pos);
  e = readdir(d);
  CHECK(e != NULL && strcmp(e->d_name, at) == 0);
  CHECK(closedir(d) == 0);
  printf("ok readdir %d\n", N);
  return 0;
}
