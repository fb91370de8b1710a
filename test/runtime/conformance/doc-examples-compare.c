// The module documentation's "Compute differences": two snapshots around a
// function that leaks, compare_to() by line, str(StatisticDiff) of the top 10.
//
//   snapshot1 = tracemalloc.take_snapshot()
//   # ... call the function leaking memory ...
//   snapshot2 = tracemalloc.take_snapshot()
//   top_stats = snapshot2.compare_to(snapshot1, 'lineno')
//   print("[ Top 10 differences ]")
//   for stat in top_stats[:10]:
//       print(stat)
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

static void *cache[64];
static void *leaked[64];
static size_t nleaked;

__attribute__((noinline)) static void start_application(void) {
  for (int i = 0; i < 64; i++)
    cache[i] = malloc(128);
  cache[0] = realloc(cache[0], 4096);
}

/* Leaks at two lines, grows one block, frees a few and replaces one. */
__attribute__((noinline)) static void leak(void) {
  for (int i = 0; i < 40; i++)
    leaked[nleaked++] = malloc(1500);
  leaked[nleaked++] = malloc(200000);
  cache[0] = realloc(cache[0], 9000);
  for (int i = 60; i < 64; i++)
    free(cache[i]);
  free(cache[1]);
  cache[1] = malloc(128);
}

int main(void) {
  tracemalloc_start(1);
  start_application();
  tracemalloc_snapshot *snapshot1 = tracemalloc_take_snapshot();
  leak();
  tracemalloc_snapshot *snapshot2 = tracemalloc_take_snapshot();

  tracemalloc_statistic_diffs *top_stats = tracemalloc_snapshot_compare_to(
      snapshot2, snapshot1, TRACEMALLOC_KEY_LINENO, 0);
  printf("[ Top 10 differences ]\n");
  for (size_t i = 0; i < top_stats->count && i < 10; i++) {
    char line[4096];
    tracemalloc_statistic_diff_format(line, sizeof(line), &top_stats->items[i]);
    printf("%s\n", line);
  }
  tracemalloc_statistic_diffs_free(top_stats);
  tracemalloc_snapshot_free(snapshot1);
  tracemalloc_snapshot_free(snapshot2);
  return 0;
}
// clang-format off
// CHECK:      [ Top 10 differences ]
// CHECK-NEXT: {{/.*}}/doc-examples-compare.c:32: size=195 KiB (+195 KiB), count=1 (+1), average=195 KiB
// CHECK-NEXT: {{/.*}}/doc-examples-compare.c:31: size=58.6 KiB (+58.6 KiB), count=40 (+40), average=1500 B
// CHECK-NEXT: {{/.*}}/doc-examples-compare.c:33: size=9000 B (+9000 B), count=1 (+1), average=9000 B
// CHECK-NEXT: {{/.*}}/doc-examples-compare.c:25: size=0 B (-4096 B), count=0 (-1)
// CHECK-NEXT: {{/.*}}/doc-examples-compare.c:24: size=7424 B (-640 B), count=58 (-5), average=128 B
// CHECK-NEXT: {{/.*}}/doc-examples-compare.c:37: size=128 B (+128 B), count=1 (+1), average=128 B
// CHECK-NOT:  {{.}}
// clang-format on
