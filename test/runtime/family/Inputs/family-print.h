/*
 * family-print.h - print the traces of a snapshot for the family-*.c tests:
 * those of domains other than 0, and those of domain 0 of at least 1000
 * bytes (the tests' blocks have distinctive sizes; the C library's own are
 * left out), by increasing size, as
 *   domain=<domain> size=<size> nframe=<nframe> total=<total_nframe>
 *     <function> <basename>:<lineno>      (oldest frame first)
 */
#ifndef FAMILY_PRINT_H
#define FAMILY_PRINT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static const char *family_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int family_order(const void *a, const void *b) {
  const tracemalloc_trace *x = *(const tracemalloc_trace *const *)a;
  const tracemalloc_trace *y = *(const tracemalloc_trace *const *)b;
  if (x->size != y->size)
    return (x->size > y->size) - (x->size < y->size);
  return (x->domain > y->domain) - (x->domain < y->domain);
}

static void family_print_traces(void) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (!snapshot) {
    printf("no snapshot: %s\n", tracemalloc_last_error());
    exit(1);
  }
  static const tracemalloc_trace *traces[256];
  size_t n = 0;
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    if ((trace->domain != 0 || trace->size >= 1000) &&
        n < sizeof(traces) / sizeof(traces[0]))
      traces[n++] = trace;
  }
  qsort(traces, n, sizeof(traces[0]), family_order);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_traceback *tb = traces[i]->traceback;
    printf("domain=%u size=%zu nframe=%u total=%u\n", traces[i]->domain,
           traces[i]->size, tb->nframe, tb->total_nframe);
    for (unsigned int f = 0; f < tb->nframe; f++)
      printf("  %s %s:%u\n", tb->frames[f]->function,
             family_basename(tb->frames[f]->filename), tb->frames[f]->lineno);
  }
  printf("end\n");
  fflush(stdout);
  tracemalloc_snapshot_free(snapshot);
}

#endif /* FAMILY_PRINT_H */
