/* Keeps a file resident in the page cache for a benchmark: maps it with
 * MAP_POPULATE, locks it, prints "ready", and holds it until stdin closes.
 * usage: pin FILE */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) return 1;
  void *p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED) return 1;
  if (mlock(p, st.st_size) < 0) perror("mlock (the file may be partly evicted)");
  printf("ready\n");
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  return 0;
}
