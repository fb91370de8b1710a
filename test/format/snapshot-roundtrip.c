// Snapshot files: a load/dump round trip keeps every trace, frame (with its
// function), traceback, limit and lost count, and rewrites the same bytes;
// equal objects are one object; dump replaces files atomically and reports
// errors; the statistics and accessor errors.
//
// clang-format off
// RUN: %clang -std=c11 -Wall -Wextra -Werror -I%include %s %libdir/libtm_core.a -lpthread -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir && cd %t.dir
// RUN: %mksnap %S/Inputs/roundtrip.txt a.tms
// RUN: %t print a.tms > a.txt
// RUN: FileCheck --check-prefix=PRINT --match-full-lines %s < a.txt
// RUN: %t dump a.tms b.tms
// RUN: %t print b.tms | diff a.txt -
// RUN: cmp a.tms b.tms
// Dump over an existing file, leaving no temporary file behind.
// RUN: %t dump a.tms b.tms
// RUN: cmp a.tms b.tms
// RUN: ls -A | FileCheck --check-prefix=LS --match-full-lines --implicit-check-not=tmp %s
// RUN: not %t dump a.tms no-such-dir/c.tms 2>&1 | FileCheck --check-prefix=NODIR --match-full-lines %s
// RUN: mkdir d.tms
// RUN: not %t dump a.tms d.tms 2>&1 | FileCheck --check-prefix=ISDIR --match-full-lines %s
// RUN: ls -A | FileCheck --check-prefix=LS2 --match-full-lines --implicit-check-not=tmp %s
// RUN: %t errors a.tms | FileCheck --check-prefix=ERRORS --match-full-lines %s
//
// Frames oldest first; a frame is (filename, lineno, function), so frames of
// one line with other functions stay apart; no function is "".
// PRINT:      limit=65535 lost=18446744073709551615 traces=6
// PRINT-NEXT: trace 0: domain=0 size=1 total_nframe=1 a.c:1:main
// PRINT-NEXT: trace 1: domain=4294967295 size=18446744073709551615 total_nframe=65535 a.c:1:main b.c:2:ns::f<int>::g
// PRINT-NEXT: trace 2: domain=7 size=0 total_nframe=2 a.c:1: b.c:2:other_name
// PRINT-NEXT: trace 3: domain=7 size=0 total_nframe=3 a.c:1: b.c:2:
// PRINT-NEXT: trace 4: domain=1 size=4096 total_nframe=3 c.c:0: c.c:4294967295: c.c:4294967295:
// PRINT-NEXT: trace 5: domain=0 size=1 total_nframe=1 a.c:1:main
// PRINT-NEXT: distinct frames=7 tracebacks=5
//
// LS: a.tms
// LS-NEXT: a.txt
// LS-NEXT: b.tms
// LS-NOT: {{.}}
// LS2: a.tms
// LS2-NEXT: a.txt
// LS2-NEXT: b.tms
// LS2-NEXT: d.tms
// LS2-NOT: {{.}}
// NODIR: dump: no-such-dir/c.tms: cannot create temporary file no-such-dir/.c.tms.tmp.{{[0-9]+}}.0: No such file or directory
// ISDIR: dump: d.tms: is a directory
//
// ERRORS:      trace 6: (null): trace index 6 out of range (the snapshot has 6 traces)
// ERRORS-NEXT: key 'line': -1: unknown key_type: 'line'
// ERRORS-NEXT: cumulative traceback: (null): cumulative mode cannot be used with key type 'traceback'
// Python's groups are by (filename, lineno); by function, b.c:2 is three.
// ERRORS-NEXT: lineno statistics: 3
// ERRORS-NEXT: lineno statistics by function: 5
// ERRORS-NEXT: traceback statistics: 3
// ERRORS-NEXT: traceback statistics by function: 5
// clang-format on
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tracemalloc.h>

static void print_frames(const tracemalloc_traceback *traceback) {
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    const tracemalloc_frame *frame = traceback->frames[i];
    printf(" %s:%u:%s", frame->filename, frame->lineno, frame->function);
  }
}

/* How many different pointers among n. */
static size_t distinct(const void **pointers, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    size_t j = 0;
    while (j < i && pointers[j] != pointers[i])
      j++;
    count += j == i;
  }
  return count;
}

static void print_sharing(const tracemalloc_snapshot *snapshot) {
  const void *tracebacks[64], *frames[256];
  size_t ntraceback = 0, nframe = 0;
  size_t n = tracemalloc_snapshot_trace_count(snapshot);
  for (size_t i = 0; i < n && i < 64; i++) {
    const tracemalloc_traceback *traceback =
        tracemalloc_snapshot_trace(snapshot, i)->traceback;
    tracebacks[ntraceback++] = traceback;
    for (unsigned int j = 0; j < traceback->nframe && nframe < 256; j++)
      frames[nframe++] = traceback->frames[j];
  }
  printf("distinct frames=%zu tracebacks=%zu\n", distinct(frames, nframe),
         distinct(tracebacks, ntraceback));
}

static int print(const tracemalloc_snapshot *snapshot) {
  size_t n = tracemalloc_snapshot_trace_count(snapshot);
  printf("limit=%u lost=%llu traces=%zu\n",
         tracemalloc_snapshot_traceback_limit(snapshot),
         (unsigned long long)tracemalloc_snapshot_lost_traces(snapshot), n);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    printf("trace %zu: domain=%u size=%zu total_nframe=%u", i, trace->domain,
           trace->size, trace->traceback->total_nframe);
    print_frames(trace->traceback);
    putchar('\n');
  }
  print_sharing(snapshot);
  return 0;
}

static void print_group_count(const tracemalloc_snapshot *snapshot,
                              tracemalloc_key_type key_type, const char *name) {
  tracemalloc_statistics *statistics =
      tracemalloc_snapshot_statistics(snapshot, key_type, 0);
  printf("%s statistics: %zu\n", name, statistics ? statistics->count : 0);
  tracemalloc_statistics_free(statistics);
  statistics =
      tracemalloc_snapshot_statistics_by_function(snapshot, key_type, 0);
  printf("%s statistics by function: %zu\n", name,
         statistics ? statistics->count : 0);
  tracemalloc_statistics_free(statistics);
}

static int errors(const tracemalloc_snapshot *snapshot) {
  size_t n = tracemalloc_snapshot_trace_count(snapshot);
  const void *trace = tracemalloc_snapshot_trace(snapshot, n);
  printf("trace %zu: %s: %s\n", n, trace ? "found" : "(null)",
         tracemalloc_last_error());
  tracemalloc_key_type key_type;
  printf("key 'line': %d: %s\n", tracemalloc_key_type_parse("line", &key_type),
         tracemalloc_last_error());
  tracemalloc_statistics *statistics =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_TRACEBACK, 1);
  printf("cumulative traceback: %s: %s\n", statistics ? "found" : "(null)",
         tracemalloc_last_error());
  if (tracemalloc_key_type_parse("lineno", &key_type) < 0)
    return 1;
  print_group_count(snapshot, key_type, "lineno");
  print_group_count(snapshot, TRACEMALLOC_KEY_TRACEBACK, "traceback");
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  tracemalloc_snapshot *snapshot = tracemalloc_snapshot_load(argv[2]);
  if (!snapshot) {
    fprintf(stderr, "load: %s\n", tracemalloc_last_error());
    return 1;
  }
  int status = 0;
  if (strcmp(argv[1], "print") == 0) {
    status = print(snapshot);
  } else if (strcmp(argv[1], "errors") == 0) {
    status = errors(snapshot);
  } else if (strcmp(argv[1], "dump") == 0 && argc == 4 &&
             tracemalloc_snapshot_dump(snapshot, argv[3]) < 0) {
    fprintf(stderr, "dump: %s\n", tracemalloc_last_error());
    status = 1;
  }
  tracemalloc_snapshot_free(snapshot);
  return status;
}
