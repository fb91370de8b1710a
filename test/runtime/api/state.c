// The module-level functions of the C API: start/stop, limits, traced memory,
// peak, clear_traces, snapshots, errors.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck %s
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

static void show(const char *when) {
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("%s: tracing=%d current=%zu peak=%zu\n", when,
         tracemalloc_is_tracing(), current, peak);
}

static void top(const char *when) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (!snapshot) {
    printf("%s: no snapshot: %s\n", when, tracemalloc_last_error());
    return;
  }
  tracemalloc_statistics *stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_LINENO, 0);
  printf("%s: %zu traces, limit %u\n", when,
         tracemalloc_snapshot_trace_count(snapshot),
         tracemalloc_snapshot_traceback_limit(snapshot));
  for (size_t i = 0; i < stats->count; i++) {
    char line[4096];
    tracemalloc_statistic_format(line, sizeof(line), &stats->items[i]);
    printf("  %s\n", line);
  }
  tracemalloc_statistics_free(stats);
  tracemalloc_snapshot_free(snapshot);
}

void *volatile keep[8];

int main(void) {
  keep[0] = malloc(5555); // before start: never traced
  show("before");
  // CHECK: before: tracing=0 current=0 peak=0
  top("before");
  // CHECK-NEXT: before: no snapshot: the tracemalloc module must be tracing memory allocations to take a snapshot
  printf("start(0)=%d: %s\n", tracemalloc_start(0), tracemalloc_last_error());
  // CHECK-NEXT: start(0)=-1: the number of frames must be in range [1; 65535]
  printf("start(65536)=%d\n", tracemalloc_start(65536));
  // CHECK-NEXT: start(65536)=-1
  printf("start(3)=%d limit=%u\n", tracemalloc_start(3),
         tracemalloc_get_traceback_limit());
  // CHECK-NEXT: start(3)=0 limit=3
  printf("start(7)=%d limit=%u\n", tracemalloc_start(7),
         tracemalloc_get_traceback_limit());
  // CHECK-NEXT: start(7)=0 limit=3

  keep[1] = malloc(1000);
  keep[2] = malloc(2000);
  show("two blocks");
  // CHECK-NEXT: two blocks: tracing=1 current=3000 peak=3000
  free(keep[2]);
  show("one freed");
  // CHECK-NEXT: one freed: tracing=1 current=1000 peak=3000
  free(keep[0]); // allocated before tracing: unknown, ignored
  tracemalloc_reset_peak();
  show("peak reset");
  // CHECK-NEXT: peak reset: tracing=1 current=1000 peak=1000
  keep[3] = calloc(10, 10);
  show("calloc");
  // CHECK-NEXT: calloc: tracing=1 current=1100 peak=1100
  printf("own memory > 0: %d\n", tracemalloc_get_tracemalloc_memory() > 0);
  // CHECK-NEXT: own memory > 0: 1
  top("snapshot");
  // CHECK-NEXT: snapshot: 2 traces, limit 3
  // CHECK-NEXT: {{^  /.*}}/state.c:56: size=1000 B, count=1, average=1000 B
  // CHECK-NEXT: {{^  /.*}}/state.c:67: size=100 B, count=1, average=100 B

  tracemalloc_clear_traces();
  show("cleared");
  // CHECK-NEXT: cleared: tracing=1 current=0 peak=0
  free(keep[1]); // its trace is gone already
  keep[4] = malloc(42);
  top("after clear");
  // CHECK-NEXT: after clear: 1 traces, limit 3
  // CHECK-NEXT: state.c:81: size=42 B, count=1, average=42 B

  tracemalloc_stop();
  show("stopped");
  // CHECK-NEXT: stopped: tracing=0 current=0 peak=0
  printf("limit after stop=%u\n", tracemalloc_get_traceback_limit());
  // CHECK-NEXT: limit after stop=3
  keep[5] = malloc(64);
  tracemalloc_start(1);
  free(keep[5]);
  show("restarted");
  // CHECK-NEXT: restarted: tracing=1 current=0 peak=0
  return 0;
}
