// The trace table's address space. Its tables grow in place, in
// reservations larger than what they commit (mapped with no access until
// committed); under RLIMIT_AS, where reserved space counts against what the
// program may map, they reserve only what they use. Measured as the growth,
// across 300,000 allocations, of the anonymous mappings with no access in
// /proc/self/maps. The traces stay exact either way.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: env TRACEMALLOC=1 %t unlimited | FileCheck --check-prefix=UNLIMITED %s
// RUN: env TRACEMALLOC=1 %t limited | FileCheck --check-prefix=LIMITED %s
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <tracemalloc.h>

#define BLOCKS 300000
#define SIZE 32

// Bytes of anonymous mappings with no access (---p, no file).
static unsigned long long reserved_bytes(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[512];
  unsigned long long total = 0;
  while (maps && fgets(line, sizeof line, maps)) {
    unsigned long long from, to, offset, inode;
    char perms[8], device[16];
    if (sscanf(line, "%llx-%llx %7s %llx %15s %llu", &from, &to, perms,
               &offset, device, &inode) == 6 &&
        strcmp(perms, "---p") == 0 && inode == 0)
      total += to - from;
  }
  if (maps)
    fclose(maps);
  return total;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "limited") == 0) {
    // Far above what the program needs: only the accounting changes.
    struct rlimit limit = {(rlim_t)8 << 30, (rlim_t)8 << 30};
    if (setrlimit(RLIMIT_AS, &limit) != 0)
      return 1;
  }
  static void *blocks[BLOCKS];
  unsigned long long before = reserved_bytes();
  for (int i = 0; i < BLOCKS; i++)
    blocks[i] = malloc(SIZE);
  unsigned long long grown = reserved_bytes() - before;

  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("traced: %zu bytes in %d blocks, lost %llu\n", current, BLOCKS,
         (unsigned long long)tracemalloc_get_lost_traces());
  // UNLIMITED: traced: 9600000 bytes in 300000 blocks, lost 0
  // LIMITED: traced: 9600000 bytes in 300000 blocks, lost 0

  printf("reserved, not committed: %s\n", grown ? "some" : "none");
  // UNLIMITED: reserved, not committed: some
  // LIMITED: reserved, not committed: none
  for (int i = 0; i < BLOCKS; i++)
    free(blocks[i]);
  return 0;
}
