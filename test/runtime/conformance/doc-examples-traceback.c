// The module documentation's "Get the traceback of a memory block": with 25
// frames, the biggest group by traceback, its count and size, and
// Traceback.format() with the source lines; then the same traceback from
// get_object_traceback() (Python's tracemalloc.get_object_traceback(obj)),
// most recent frame first and limited.
//
//   tracemalloc.start(25)
//   # ... run your application ...
//   snapshot = tracemalloc.take_snapshot()
//   top_stats = snapshot.statistics('traceback')
//   stat = top_stats[0]
//   print("%s memory blocks: %.1f KiB" % (stat.count, stat.size / 1024))
//   for line in stat.traceback.format():
//       print(line)
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

static void *blocks[1000];
static size_t nblock;

__attribute__((noinline)) static void *load_module(size_t size) {
  void *block = malloc(size);
  __asm__ volatile("" ::: "memory"); /* not a tail call */
  return block;
}

__attribute__((noinline)) static void import_modules(void) {
  for (int i = 0; i < 903; i++)
    blocks[nblock++] = load_module(986);
  __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void run_application(void) {
  import_modules();
  blocks[nblock++] = load_module(100); /* another traceback */
  __asm__ volatile("" ::: "memory");
}

static void print_lines(char **lines) {
  for (size_t i = 0; lines[i]; i++)
    printf("%s\n", lines[i]);
  tracemalloc_lines_free(lines);
}

int main(void) {
  tracemalloc_start(25);
  run_application();
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  tracemalloc_statistics *top_stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_TRACEBACK, 0);

  /* pick the biggest memory block */
  const tracemalloc_statistic *stat = &top_stats->items[0];
  printf("%zu memory blocks: %.1f KiB\n", stat->count, stat->size / 1024.0);
  print_lines(tracemalloc_traceback_format(stat->traceback, 0, 0, 0, NULL));

  tracemalloc_traceback *traceback =
      tracemalloc_get_object_traceback(blocks[0]);
  printf("get_object_traceback, limit=2, most_recent_first=True:\n");
  print_lines(tracemalloc_traceback_format(traceback, 1, 2, 1, NULL));
  tracemalloc_traceback_free(traceback);

  tracemalloc_statistics_free(top_stats);
  tracemalloc_snapshot_free(snapshot);
  for (size_t i = 0; i < nblock; i++)
    free(blocks[i]);
  return 0;
}
// CHECK:      903 memory blocks: 869.5 KiB
// CHECK-NEXT:   File "{{/.*}}/doc-examples-traceback.c", line 51
// CHECK-NEXT:     run_application();
// CHECK-NEXT:   File "{{/.*}}/doc-examples-traceback.c", line 38
// CHECK-NEXT:     import_modules();
// CHECK-NEXT:   File "{{/.*}}/doc-examples-traceback.c", line 33
// CHECK-NEXT:     blocks[nblock++] = load_module(986);
// CHECK-NEXT:   File "{{/.*}}/doc-examples-traceback.c", line 26
// CHECK-NEXT:     void *block = malloc(size);
// CHECK-NEXT: get_object_traceback, limit=2, most_recent_first=True:
// CHECK-NEXT:   File "{{/.*}}/doc-examples-traceback.c", line 26
// CHECK-NEXT:     void *block = malloc(size);
// CHECK-NEXT:   File "{{/.*}}/doc-examples-traceback.c", line 33
// CHECK-NEXT:     blocks[nblock++] = load_module(986);
// CHECK-NOT:  {{.}}
