// tracemalloc_take_peak_snapshot() with TRACEMALLOC_PEAK=0: the traces live
// when traced memory was highest, exactly. Two blocks live together (1000 +
// 2000 bytes), one freed before a smaller one is made: the peak set is the
// two; reset_peak() makes it the live set; clear_traces() empties it; a
// realloc that grows then shrinks leaves its grown size there; stop() and a
// run without TRACEMALLOC_PEAK have none.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: env TRACEMALLOC_PEAK=0 TRACEMALLOC_UNINSTRUMENTED=0 %t | FileCheck %s
// RUN: env TRACEMALLOC_UNINSTRUMENTED=0 %t | FileCheck --check-prefix=OFF %s
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

static void show(const char *when) {
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  tracemalloc_snapshot *snapshot = tracemalloc_take_peak_snapshot();
  if (!snapshot) {
    printf("%s: peak=%zu, no peak snapshot: %s\n", when, peak,
           tracemalloc_last_error());
    return;
  }
  size_t set = 0, kept;
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++)
    set += tracemalloc_snapshot_trace(snapshot, i)->size;
  tracemalloc_snapshot_traced_peak(snapshot, &kept);
  printf("%s: current=%zu peak=%zu recorded=%zu set=%zu in %zu traces\n",
         when, current, peak, kept, set,
         tracemalloc_snapshot_trace_count(snapshot));
  tracemalloc_statistics *stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_LINENO, 0);
  for (size_t i = 0; i < stats->count; i++) {
    char line[4096];
    tracemalloc_statistic_format(line, sizeof(line), &stats->items[i]);
    printf("  %s\n", line);
  }
  tracemalloc_statistics_free(stats);
  tracemalloc_snapshot_free(snapshot);
}

static void *volatile a, *volatile b, *volatile c, *volatile d, *volatile r;

int main(void) {
  show("before start");
  // CHECK: before start: peak=0, no peak snapshot: the tracemalloc module must be tracing memory allocations to take a snapshot
  // OFF: before start: peak=0, no peak snapshot: the tracemalloc module must be tracing memory allocations to take a snapshot
  tracemalloc_start(1);
  show("nothing yet");
  // CHECK-NEXT: nothing yet: current=0 peak=0 recorded=0 set=0 in 0 traces
  // OFF-NEXT: nothing yet: peak=0, no peak snapshot: the traces at the peak are kept only when the program runs with TRACEMALLOC_PEAK set

  a = malloc(1000);
  b = malloc(2000);
  free((void *)b);
  c = malloc(500);
  show("known peak");
  // CHECK-NEXT: known peak: current=1500 peak=3000 recorded=3000 set=3000 in 2 traces
  // CHECK-NEXT: {{^  /.*}}/peak.c:54: size=2000 B, count=1, average=2000 B
  // CHECK-NEXT: {{^  /.*}}/peak.c:53: size=1000 B, count=1, average=1000 B

  // The live snapshot carries the traces at the peak too.
  tracemalloc_snapshot *live = tracemalloc_take_snapshot();
  tracemalloc_snapshot *of_live = tracemalloc_snapshot_peak(live);
  printf("live: %zu traces, at its peak %zu\n",
         tracemalloc_snapshot_trace_count(live),
         of_live ? tracemalloc_snapshot_trace_count(of_live) : 0);
  // CHECK-NEXT: live: 2 traces, at its peak 2
  // OFF: live: 2 traces, at its peak 0
  tracemalloc_snapshot_free(of_live);
  tracemalloc_snapshot_free(live);

  tracemalloc_reset_peak();
  show("reset");
  // CHECK-NEXT: reset: current=1500 peak=1500 recorded=1500 set=1500 in 2 traces
  // CHECK-NEXT: {{^  /.*}}/peak.c:53: size=1000 B, count=1, average=1000 B
  // CHECK-NEXT: {{^  /.*}}/peak.c:56: size=500 B, count=1, average=500 B
  d = malloc(100);
  free((void *)d);
  show("small rise after reset");
  // CHECK-NEXT: small rise after reset: current=1500 peak=1600 recorded=1600 set=1600 in 3 traces
  // CHECK-NEXT: {{^  /.*}}/peak.c:53: size=1000 B, count=1, average=1000 B
  // CHECK-NEXT: {{^  /.*}}/peak.c:56: size=500 B, count=1, average=500 B
  // CHECK-NEXT: {{^  /.*}}/peak.c:78: size=100 B, count=1, average=100 B

  tracemalloc_clear_traces();
  show("cleared");
  // CHECK-NEXT: cleared: current=0 peak=0 recorded=0 set=0 in 0 traces
  free((void *)a); // their traces are gone already
  free((void *)c);

  // Grown then shrunk (a realloc takes the old trace, then records the
  // new one): the grown block was the peak.
  r = malloc(100);
  r = realloc((void *)r, 4000);
  r = realloc((void *)r, 10);
  show("realloc");
  // CHECK-NEXT: realloc: current=10 peak=4000 recorded=4000 set=4000 in 1 traces
  // CHECK-NEXT: {{^  /.*}}/peak.c:95: size=4000 B, count=1, average=4000 B
  free((void *)r);

  tracemalloc_stop();
  show("stopped");
  // CHECK-NEXT: stopped: peak=0, no peak snapshot: the tracemalloc module must be tracing memory allocations to take a snapshot
  return 0;
}
