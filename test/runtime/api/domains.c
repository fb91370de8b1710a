// tracemalloc_track/untrack: blocks of other allocators in domains of their
// own, with the caller's line as traceback; re-tracking replaces; untracking
// an unknown address is not an error; -2 when not tracing; sizes above 4 GiB
// recorded exactly; thousands of domains; traces that do not pack in a table
// slot (domains above 254, sizes of 4 GiB and more) untracked, replaced and
// tracked again, and found by get_object_traceback.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck %s
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tracemalloc.h>

static char arena[4096];

static void show(const char *when) {
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("%s: current=%zu peak=%zu\n", when, current, peak);
}

static void print_traces(void) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    const tracemalloc_frame *frame = trace->traceback->frames[0];
    printf("  domain=%u size=%zu %s:%u\n", trace->domain, trace->size,
           strrchr(frame->filename, '/') + 1, frame->lineno);
  }
  tracemalloc_snapshot_free(snapshot);
}

int main(void) {
  uintptr_t block = (uintptr_t)arena;
  printf("not tracing: track=%d untrack=%d\n", tracemalloc_track(5, block, 10),
         tracemalloc_untrack(5, block));
  // CHECK: not tracing: track=-2 untrack=-2
  tracemalloc_start(5);
  printf("track=%d\n", tracemalloc_track(5, block, 100));
  // CHECK-NEXT: track=0
  tracemalloc_track(5, block, 300);
  tracemalloc_track(6, block, 50);
  show("replaced, and another domain");
  // CHECK-NEXT: replaced, and another domain: current=350 peak=350
  printf("untrack unknown=%d\n", tracemalloc_untrack(5, block + 1));
  // CHECK-NEXT: untrack unknown=0
  print_traces();
  // CHECK-DAG: domain=5 size=300 domains.c:42
  // CHECK-DAG: domain=6 size=50 domains.c:43
  tracemalloc_untrack(5, block);
  show("untracked");
  // CHECK: untracked: current=50 peak=350
  tracemalloc_track(7, 0x10000, (size_t)5 << 30);
  show("5 GiB");
  // CHECK-NEXT: 5 GiB: current=5368709170 peak=5368709170
  tracemalloc_clear_traces();
  for (unsigned int domain = 0; domain < 5000; domain++)
    tracemalloc_track(domain, 0x20000 + domain * 16, domain);
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  printf("5000 domains: %zu traces\n",
         tracemalloc_snapshot_trace_count(snapshot));
  // CHECK-NEXT: 5000 domains: 5000 traces
  tracemalloc_snapshot_free(snapshot);
  show("sum of 0..4999");
  // CHECK-NEXT: sum of 0..4999: current=12497500 peak=12497500

  tracemalloc_clear_traces();
  for (unsigned int round = 0; round < 3; round++) {
    for (unsigned int domain = 300; domain < 2300; domain++)
      tracemalloc_track(domain, 0x40000, (size_t)1 << 32 | domain);
    for (unsigned int domain = 300; domain < 2300; domain += 2)
      tracemalloc_untrack(domain, 0x40000);
  }
  tracemalloc_track(0, 0x50000, (size_t)1 << 32);
  snapshot = tracemalloc_take_snapshot();
  printf("overflow: %zu traces\n", tracemalloc_snapshot_trace_count(snapshot));
  // CHECK-NEXT: overflow: 1001 traces
  tracemalloc_snapshot_free(snapshot);
  // 1001 * 2^32 + (301 + 303 + ... + 2299)
  show("overflow");
  // CHECK-NEXT: overflow: current=4299263563296 peak=
  tracemalloc_traceback *tb = tracemalloc_get_object_traceback((void *)0x50000);
  printf("4 GiB block from line %u\n", tb ? tb->frames[0]->lineno : 0);
  // CHECK-NEXT: 4 GiB block from line 75
  tracemalloc_traceback_free(tb);
  tracemalloc_stop();
  printf("stopped: track=%d\n", tracemalloc_track(5, block, 1));
  // CHECK-NEXT: stopped: track=-2
  return 0;
}
