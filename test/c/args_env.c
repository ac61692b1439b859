// Arguments and environment reach the program exactly (UTF-8 included).
#include "common.h"

extern char **environ;

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  printf("GREETING=%s\n", getenv("GREETING"));
  int n = 0;
  for (char **e = environ; *e != NULL; e++) n++;
  printf("%d variables\n", n);
  return 0;
}
