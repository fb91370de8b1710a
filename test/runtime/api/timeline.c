// Traced memory over time (tracemalloc_snapshot_timeline): a point each time
// traced memory moves by more than 1/128 of itself, the high-water point
// before a drop, a point at the snapshot; clear_traces starts it again; a
// long run merges points into a bounded buffer, keeping the peak.
//
// A 2 ms sleep before each step keeps the band fine (1/128): it only widens
// while points come faster than one a millisecond. Sizes are exact; times
// are only checked to never go back.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck %s
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>
#include <unistd.h>

static void *volatile block[8];

static void step(int i, size_t size) {
  usleep(2000);
  if (size) {
    block[i] = malloc(size);
  } else {
    free(block[i]);
    block[i] = NULL;
  }
}

// Sizes in order, and whether the times never go back; then the largest
// size and the peak tracemalloc_get_traced_memory() reports.
static void show(const char *what, const tracemalloc_snapshot *snapshot,
                 int all) {
  size_t count, current, peak, max = 0;
  const tracemalloc_timeline_point *points =
      tracemalloc_snapshot_timeline(snapshot, &count);
  int ordered = 1;
  printf("%s: %zu points:", what, count);
  for (size_t i = 0; i < count; i++) {
    if (all || i < 4 || i + 2 >= count)
      printf(" %llu", (unsigned long long)points[i].size);
    if (i > 0 && points[i].nanoseconds < points[i - 1].nanoseconds)
      ordered = 0;
    if (points[i].size > max)
      max = points[i].size;
  }
  tracemalloc_get_traced_memory(&current, &peak);
  printf("\n%s: from 0 s: %d, ordered=%d max=%zu peak=%zu current=%zu\n", what,
         points[0].nanoseconds == 0, ordered, max, peak, current);
}

int main(void) {
  printf("timeline\n");
  // CHECK: timeline
  tracemalloc_start(1);
  step(0, 1000); // 0 -> 1000: a point
  step(1, 2000); // 3000
  step(1, 0);    // 1000
  step(2, 500);  // 1500
  step(3, 5);    // 1505: within 1500 +- 1500/128 (11): no point
  step(4, 5);    // 1510: no point
  step(0, 0);    // 510
  step(5, 3000); // 3510
  step(6, 20);   // 3530: within 3510 + 27, the peak, no point yet
  step(5, 0);    // 530: the peak 3530 first, then 530
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  show("steps", snapshot, 1);
  // CHECK-NEXT: steps: 10 points: 0 1000 3000 1000 1500 510 3510 3530 530 530
  // CHECK-NEXT: steps: from 0 s: 1, ordered=1 max=3530 peak=3530 current=530
  tracemalloc_snapshot_free(snapshot);

  // Like the peak, the timeline starts again at clear_traces.
  tracemalloc_clear_traces();
  snapshot = tracemalloc_take_snapshot();
  show("cleared", snapshot, 1);
  // CHECK-NEXT: cleared: 2 points: 0 0
  // CHECK-NEXT: cleared: from 0 s: 1, ordered=1 max=0 peak=0 current=0
  tracemalloc_snapshot_free(snapshot);

  // 40003 points, each event crossing the band whatever its width: the two
  // points since the clear, 20000 x (1000 + i, 0), the snapshot's. The
  // buffer of 4096 points is halved 4 times, each stored point then the
  // biggest of 16 in a row: 2500 of them, the 3 of the last group so far
  // (the biggest, 20999) and the last point (0). The peak survives; the
  // first point is the biggest of the first 16, no longer the one at 0 s.
  for (int i = 0; i < 20000; i++) {
    block[7] = malloc(1000 + i);
    free(block[7]);
  }
  snapshot = tracemalloc_take_snapshot();
  show("merged", snapshot, 0);
  // CHECK-NEXT: merged: 2502 points: 1006 1014 1022 1030 20999 0
  // CHECK-NEXT: merged: from 0 s: 0, ordered=1 max=20999 peak=20999 current=0
  tracemalloc_snapshot_free(snapshot);
  return 0;
}
