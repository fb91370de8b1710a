// The module documentation's first example, "Display the top 10": the 10
// lines that allocate the most, str(Statistic) of each.
//
//   tracemalloc.start()
//   # ... run your application ...
//   snapshot = tracemalloc.take_snapshot()
//   top_stats = snapshot.statistics('lineno')
//   print("[ Top 10 ]")
//   for stat in top_stats[:10]:
//       print(stat)
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void *blocks[100];
static size_t nblock;

static void keep(void *block) { blocks[nblock++] = block; }

/* The "application": twelve allocating lines, so two fall out of the top. */
__attribute__((noinline)) static void run_application(void) {
  keep(malloc(100000));
  for (int i = 0; i < 10; i++)
    keep(malloc(1000));
  keep(calloc(3, 4096));
  keep(strdup("hello"));
  for (int i = 0; i < 4; i++)
    keep(malloc(48));
  keep(realloc(malloc(10), 20000));
  keep(malloc(3));
  keep(malloc(2));
  keep(malloc(1));
  keep(malloc(0));
  keep(malloc(5000));
  keep(malloc(150000));
}

int main(void) {
  tracemalloc_start(1);
  run_application();
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  tracemalloc_statistics *top_stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_LINENO, 0);

  printf("[ Top 10 ]\n");
  for (size_t i = 0; i < top_stats->count && i < 10; i++) {
    char line[4096];
    tracemalloc_statistic_format(line, sizeof(line), &top_stats->items[i]);
    printf("%s\n", line);
  }
  tracemalloc_statistics_free(top_stats);
  tracemalloc_snapshot_free(snapshot);
  for (size_t i = 0; i < nblock; i++)
    free(blocks[i]);
  return 0;
}
// clang-format off
// CHECK:      [ Top 10 ]
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:39: size=146 KiB, count=1, average=146 KiB
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:26: size=97.7 KiB, count=1, average=97.7 KiB
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:33: size=19.5 KiB, count=1, average=19.5 KiB
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:29: size=12.0 KiB, count=1, average=12.0 KiB
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:28: size=10000 B, count=10, average=1000 B
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:38: size=5000 B, count=1, average=5000 B
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:32: size=192 B, count=4, average=48 B
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:30: size=6 B, count=1, average=6 B
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:34: size=3 B, count=1, average=3 B
// CHECK-NEXT: {{/.*}}/doc-examples-top.c:35: size=2 B, count=1, average=2 B
// CHECK-NOT:  {{.}}
// clang-format on
