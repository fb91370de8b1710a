// compare_to() and filter_traces() beyond Python's own tests: errors, a
// snapshot compared with itself or with an empty one, groups that only total
// 0 bytes, tracebacks that differ only in total_nframe (one group, as Python
// groups by frames), a filtered snapshot that outlives the original, and the
// limit and lost count it keeps.
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common -I%srcroot/runtime/snapshot %s %libdir/libtm_core.a -lpthread -o %t
// RUN: %t | FileCheck --match-full-lines %s
// clang-format on
#include "snapshot.h"

#include <stdio.h>

static const tracemalloc_traceback *traceback_of(tm_snapshot_builder *builder,
                                                 const char *file,
                                                 unsigned int line,
                                                 unsigned int total) {
  const tracemalloc_frame *frame = tm_builder_frame(builder, file, line, "");
  return tm_builder_traceback(builder, &frame, 1, total);
}

static tracemalloc_snapshot *sample(void) {
  tm_snapshot_builder *builder = tm_builder_new(3, 42);
  tm_builder_add_trace(builder, 0, 100, traceback_of(builder, "a.c", 1, 1));
  tm_builder_add_trace(builder, 0, 50, traceback_of(builder, "a.c", 1, 9));
  tm_builder_add_trace(builder, 1, 0, traceback_of(builder, "b.c", 2, 1));
  tm_builder_add_trace(builder, 2, 0, traceback_of(builder, "c.c", 3, 1));
  tm_builder_add_trace(builder, 2, 7, traceback_of(builder, "d.c", 4, 1));
  return tm_builder_finish(builder);
}

static tracemalloc_snapshot *empty(void) {
  return tm_builder_finish(tm_builder_new(1, 0));
}

static void print_diffs(const char *title, const tracemalloc_snapshot *new,
                        const tracemalloc_snapshot *old,
                        tracemalloc_key_type key_type, int cumulative) {
  tracemalloc_statistic_diffs *diffs =
      tracemalloc_snapshot_compare_to(new, old, key_type, cumulative);
  if (!diffs) {
    printf("%s: error: %s\n", title, tracemalloc_last_error());
    return;
  }
  printf("%s: %zu\n", title, diffs->count);
  for (size_t i = 0; i < diffs->count; i++) {
    char text[256];
    tracemalloc_statistic_diff_format(text, sizeof(text), &diffs->items[i]);
    printf("  %s\n", text);
  }
  tracemalloc_statistic_diffs_free(diffs);
}

int main(void) {
  tracemalloc_snapshot *snapshot = sample();
  tracemalloc_snapshot *nothing = empty();

  print_diffs("bad key", snapshot, nothing, (tracemalloc_key_type)7, 0);
  print_diffs("cumulative traceback", snapshot, nothing,
              TRACEMALLOC_KEY_TRACEBACK, 1);
  print_diffs("empty vs empty", nothing, nothing, TRACEMALLOC_KEY_LINENO, 0);
  // clang-format off
  // CHECK:      bad key: error: unknown key_type: 7
  // CHECK-NEXT: cumulative traceback: error: cumulative mode cannot be used with key type 'traceback'
  // CHECK-NEXT: empty vs empty: 0
  // clang-format on

  /* Nothing changed: every diff is 0, so size and count decide. The two
   * a.c:1 traces differ in total_nframe only: one group. */
  print_diffs("itself", snapshot, snapshot, TRACEMALLOC_KEY_TRACEBACK, 0);
  // CHECK-NEXT: itself: 4
  // CHECK-NEXT:   a.c:1: size=150 B (+0 B), count=2 (+0), average=75 B
  // CHECK-NEXT:   d.c:4: size=7 B (+0 B), count=1 (+0), average=7 B
  // CHECK-NEXT:   c.c:3: size=0 B (+0 B), count=1 (+0), average=0 B
  // CHECK-NEXT:   b.c:2: size=0 B (+0 B), count=1 (+0), average=0 B

  print_diffs("all new", snapshot, nothing, TRACEMALLOC_KEY_FILENAME, 0);
  print_diffs("all gone", nothing, snapshot, TRACEMALLOC_KEY_LINENO, 1);
  // CHECK-NEXT: all new: 4
  // CHECK-NEXT:   a.c:0: size=150 B (+150 B), count=2 (+2), average=75 B
  // CHECK-NEXT:   d.c:0: size=7 B (+7 B), count=1 (+1), average=7 B
  // CHECK-NEXT:   c.c:0: size=0 B (+0 B), count=1 (+1), average=0 B
  // CHECK-NEXT:   b.c:0: size=0 B (+0 B), count=1 (+1), average=0 B
  // CHECK-NEXT: all gone: 4
  // CHECK-NEXT:   a.c:1: size=0 B (-150 B), count=0 (-2)
  // CHECK-NEXT:   d.c:4: size=0 B (-7 B), count=0 (-1)
  // CHECK-NEXT:   c.c:3: size=0 B (+0 B), count=0 (-1)
  // CHECK-NEXT:   b.c:2: size=0 B (+0 B), count=0 (-1)

  tracemalloc_filter no_pattern = tracemalloc_filter_make(1, NULL, -1, 0, -1);
  tracemalloc_snapshot *filtered =
      tracemalloc_snapshot_filter_traces(snapshot, &no_pattern, 1);
  printf("no pattern: %p: %s\n", (void *)filtered, tracemalloc_last_error());
  // CHECK-NEXT: no pattern: (nil): filter 0 has no filename pattern

  tracemalloc_filter filters[] = {tracemalloc_domain_filter_make(0, 1),
                                  tracemalloc_filter_make(0, "d.c", 4, 0, -1)};
  filtered = tracemalloc_snapshot_filter_traces(snapshot, filters, 2);
  tracemalloc_snapshot_free(snapshot); /* the copy stands on its own */
  printf("filtered: %zu traces, limit %u, lost %llu\n",
         tracemalloc_snapshot_trace_count(filtered),
         tracemalloc_snapshot_traceback_limit(filtered),
         (unsigned long long)tracemalloc_snapshot_lost_traces(filtered));
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(filtered); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(filtered, i);
    char text[256];
    tracemalloc_trace_format(text, sizeof(text), trace);
    printf("  domain %u total_nframe %u: %s\n", trace->domain,
           trace->traceback->total_nframe, text);
  }
  // CHECK-NEXT: filtered: 3 traces, limit 3, lost 42
  // CHECK-NEXT:   domain 0 total_nframe 1: a.c:1: 100 B
  // CHECK-NEXT:   domain 0 total_nframe 9: a.c:1: 50 B
  // CHECK-NEXT:   domain 2 total_nframe 1: c.c:3: 0 B
  tracemalloc_snapshot_free(filtered);
  tracemalloc_snapshot_free(nothing);
  return 0;
}
