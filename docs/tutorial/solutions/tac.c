/* tac: the lines of each FILE (or standard input) in reverse order, as GNU tac
   prints them. A reference solution of the tutorial's chapter 4; build it with
   clang --target=wasm32-wasi -O2 tac.c -o tac */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tac(FILE *f) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL) return 1;
  size_t n;
  while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (bigger == NULL) { free(buf); return 1; }
      buf = bigger;
    }
  }
  /* Lines end at '\n'; a last line without one is printed as it is, as GNU tac does. */
  size_t end = len;
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && buf[start - 1] != '\n') start--;
    fwrite(buf + start, 1, end - start, stdout);
    end = start;
  }
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) return tac(stdin);
  for (int i = 1; i < argc; i++) {
    FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "rb");
    if (f == NULL) { fprintf(stderr, "tac: %s: cannot open\n", argv[i]); status = 1; continue; }
    if (tac(f) != 0) status = 1;
    if (f != stdin) fclose(f);
  }
  return status;
}
