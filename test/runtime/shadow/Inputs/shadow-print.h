/*
 * shadow-print.h - print the traces of a snapshot for the shadow-* tests.
 *
 * shadow_print_traces(min_size) takes a snapshot and prints each trace of at
 * least min_size bytes (the tests give their blocks distinctive sizes, so
 * blocks the C library allocates for itself are left out), by increasing
 * size, as
 *   size=<size> nframe=<nframe> total=<total_nframe>
 *     <function> <basename>:<lineno>      (oldest frame first)
 * shadow_print_runs(min_size) prints the same, but each run of equal
 * consecutive frames once, followed by " x<count>" when there are several:
 * for tracebacks of thousands of frames.
 * Nothing is printed before the snapshot is taken: stdio allocates.
 */
#ifndef SHADOW_PRINT_H
#define SHADOW_PRINT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static const char *shadow_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int shadow_by_size(const void *a, const void *b) {
  const tracemalloc_trace *x = *(const tracemalloc_trace *const *)a;
  const tracemalloc_trace *y = *(const tracemalloc_trace *const *)b;
  return (x->size > y->size) - (x->size < y->size);
}

static void shadow_print_frame(const tracemalloc_frame *frame,
                               unsigned int repeat) {
  printf("  %s %s:%u", frame->function, shadow_basename(frame->filename),
         frame->lineno);
  if (repeat > 1)
    printf(" x%u", repeat);
  printf("\n");
}

static void shadow_print(size_t min_size, int runs) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (!snapshot) {
    printf("no snapshot: %s\n", tracemalloc_last_error());
    exit(1);
  }
  static const tracemalloc_trace *traces[256];
  size_t n = 0;
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    if (trace->size >= min_size && n < sizeof(traces) / sizeof(traces[0]))
      traces[n++] = trace;
  }
  qsort(traces, n, sizeof(traces[0]), shadow_by_size);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_traceback *tb = traces[i]->traceback;
    printf("size=%zu nframe=%u total=%u\n", traces[i]->size, tb->nframe,
           tb->total_nframe);
    unsigned int repeat = 1;
    for (unsigned int f = 0; f < tb->nframe; f++, repeat++) {
      // Frames are interned: equal frames are the same object.
      if (runs && f + 1 < tb->nframe && tb->frames[f + 1] == tb->frames[f])
        continue;
      shadow_print_frame(tb->frames[f], repeat);
      repeat = 0;
    }
  }
  printf("end\n");
  fflush(stdout);
  tracemalloc_snapshot_free(snapshot);
}

static void shadow_print_traces(size_t min_size) { shadow_print(min_size, 0); }

static void shadow_print_runs(size_t min_size) { shadow_print(min_size, 1); }

#endif /* SHADOW_PRINT_H */
