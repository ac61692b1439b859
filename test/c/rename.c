// rename: files, over an existing file, directories, into missing directories.
#include "common.h"

int main(void) {
  write_file("a.txt", "A");
  write_file("b.txt", "B");
  CHECK(rename("a.txt", "c.txt") == 0);
  CHECK_ERRNO(open("a.txt", O_RDONLY), ENOENT);
  CHECK(strcmp(read_file("c.txt"), "A") == 0);
  CHECK(rename("c.txt", "b.txt") == 0); // replaces b.txt
  CHECK(strcmp(read_file("b.txt"), "A") == 0);
  CHECK_ERRNO(rename("missing", "x"), ENOENT);
  CHECK_ERRNO(rename("b.txt", "nodir/b.txt"), ENOENT);
  CHECK(mkdir("d1", 0755) == 0);
  write_file("d1/f", "F");
  CHECK(rename("d1", "d2") == 0);
  CHECK(strcmp(read_file("d2/f"), "F") == 0);
  CHECK(rename("b.txt", "d2/moved.txt") == 0);
  CHECK(strcmp(read_file("d2/moved.txt"), "A") == 0);
  CHECK(mkdir("d3", 0755) == 0);
  CHECK(mkdir("d3/sub", 0755) == 0);
  CHECK_ERRNO(rename("d2", "d3"), ENOTEMPTY);
  CHECK_ERRNO(rename("d2/f", "d3"), EISDIR);
  CHECK_ERRNO(rename("d3", "d2/f"), ENOTDIR);
  // A hard link and rename together: both names see one file.
  CHECK(link("d2/f", "hard") == 0);
  struct stat st;
  CHECK(stat("hard", &st) == 0 && st.st_nlink == 2);
  CHECK(unlink("d2/f") == 0);
  CHECK(strcmp(read_file("hard"), "F") == 0);
  printf("ok rename\n");
  return 0;
}
