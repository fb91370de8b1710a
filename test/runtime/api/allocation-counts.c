// Allocation counters through the C API: kept after the blocks are freed,
// temporary blocks, realloc (a failed one counts nothing; realloc(p, 0)
// frees p), reset by clear_traces and stop, not in snapshots of files
// without them.
//
// RUN: %tmcc -O0 %s -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void show(const char *when) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (!snapshot) {
    printf("%s: no snapshot: %s\n", when, tracemalloc_last_error());
    return;
  }
  tracemalloc_allocation_statistics *counts = tracemalloc_snapshot_allocations(
      snapshot, TRACEMALLOC_KEY_LINENO, TRACEMALLOC_SORT_ALLOCATIONS);
  printf("%s: counters=%d, %zu groups\n", when,
         tracemalloc_snapshot_has_allocation_counts(snapshot), counts->count);
  for (size_t i = 0; i < counts->count; i++) {
    const tracemalloc_frame *frame = counts->items[i].traceback->frames[0];
    char line[4096];
    tracemalloc_allocation_statistic_format(line, sizeof(line),
                                            &counts->items[i]);
    printf("  %s\n", line + strlen(frame->filename));
  }
  tracemalloc_allocation_statistics_free(counts);
  tracemalloc_snapshot_free(snapshot);
}

void *volatile keep[4];

int main(void) {
  printf("begin\n"); /* stdout's buffer, before tracing */
  tracemalloc_start(1);
  for (int i = 0; i < 7; i++)
    free(malloc(10));
  char *p = malloc(8);
  keep[0] = malloc(1); /* p is not the last allocation any more */
  free(p);
  keep[1] = calloc(3, 4);
  /* Fails: no allocation, nothing freed, keep[1] lives on. */
  keep[2] = realloc(keep[1], SIZE_MAX / 2);
  keep[3] = realloc(keep[1], 0); /* frees the last allocation */
  show("counted");
  // CHECK-LABEL: counted: counters=1, 4 groups
  // CHECK-NEXT:   :41: allocations=7, allocated=70 B, temporary=7
  // CHECK-NEXT:   :45: allocations=1, allocated=12 B, temporary=1
  // CHECK-NEXT:   :42: allocations=1, allocated=8 B, temporary=0
  // CHECK-NEXT:   :43: allocations=1, allocated=1 B, temporary=0

  tracemalloc_clear_traces();
  free(malloc(3));
  show("cleared");
  // CHECK-LABEL: cleared: counters=1, 1 groups
  // CHECK-NEXT:   :57: allocations=1, allocated=3 B, temporary=1

  tracemalloc_stop();
  tracemalloc_start(1);
  show("restarted");
  // CHECK-LABEL: restarted: counters=1, 0 groups
  tracemalloc_stop();
  return 0;
}
