// TRACEMALLOC_PEAK: the dump at exit carries the traces at the peak, which
// every command reads with --peak. Two blocks live together (1000 + 2000
// bytes, 3000), one freed before a smaller one is made (500); later a rise
// to 4100 bytes (2600 more), freed. PCT 0 keeps the set at 4100; PCT 50
// keeps the set at 3000, as 4100 is not 50% above it (stats shows both the
// peak and what was kept).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 -g %s -o %t/prog
// RUN: cd %t && env TRACEMALLOC_PEAK=0 TRACEMALLOC_DUMP=exact.tms TRACEMALLOC_UNINSTRUMENTED=0 ./prog
// RUN: cd %t && env TRACEMALLOC_PEAK=50 TRACEMALLOC_DUMP=coarse.tms TRACEMALLOC_UNINSTRUMENTED=0 ./prog
// RUN: cd %t && env TRACEMALLOC_DUMP=none.tms TRACEMALLOC_UNINSTRUMENTED=0 ./prog
//
// RUN: %tracemalloc top %t/exact.tms --peak | FileCheck --check-prefix=EXACT %s
// EXACT:      [ Top 10 ]
// EXACT-NEXT: dump-peak.c:78: size=2600 B, count=1, average=2600 B
// EXACT-NEXT: dump-peak.c:74: size=1000 B, count=1, average=1000 B
// EXACT-NEXT: dump-peak.c:77: size=500 B, count=1, average=500 B
// EXACT-NOT:  {{.}}
// RUN: %tracemalloc top %t/coarse.tms --peak | FileCheck --check-prefix=COARSE %s
// COARSE:      [ Top 10 ]
// COARSE-NEXT: dump-peak.c:75: size=2000 B, count=1, average=2000 B
// COARSE-NEXT: dump-peak.c:74: size=1000 B, count=1, average=1000 B
// COARSE-NOT:  {{.}}
// The live set is unchanged.
// RUN: %tracemalloc top %t/coarse.tms | FileCheck --check-prefix=LIVE %s
// LIVE:      [ Top 10 ]
// LIVE-NEXT: dump-peak.c:74: size=1000 B, count=1, average=1000 B
// LIVE-NEXT: dump-peak.c:77: size=500 B, count=1, average=500 B
// LIVE-NOT:  {{.}}
//
// RUN: %tracemalloc stats %t/exact.tms | FileCheck --check-prefix=STATS0 %s
// STATS0:      size: 1500 B (1500 bytes)
// STATS0:      peak: 4100 B (4100 bytes)
// STATS0-NEXT: peak_traces: 3
// STATS0-NEXT: peak_size: 4100 B (4100 bytes)
// RUN: %tracemalloc stats %t/coarse.tms | FileCheck --check-prefix=STATS50 %s
// STATS50:      peak: 4100 B (4100 bytes)
// STATS50-NEXT: peak_traces: 2
// STATS50-NEXT: peak_size: 3000 B (3000 bytes)
// Without TRACEMALLOC_PEAK: the peak, no traces at it.
// RUN: %tracemalloc stats %t/none.tms | FileCheck --check-prefix=NONE %s
// NONE:     peak: 4100 B (4100 bytes)
// NONE-NOT: peak_traces
// RUN: %python %inputs/expect_error.py %tracemalloc top %t/none.tms --peak | FileCheck --check-prefix=NOPEAK %s
// NOPEAK: none.tms: the snapshot has no traces at the peak
// A bad value is reported and ignored, like an unset one.
// RUN: cd %t && env TRACEMALLOC_PEAK=101 TRACEMALLOC_DUMP=bad.tms TRACEMALLOC_UNINSTRUMENTED=0 ./prog 2> %t/bad.err
// RUN: cd %t && env TRACEMALLOC_PEAK=-1 TRACEMALLOC_DUMP=bad.tms TRACEMALLOC_UNINSTRUMENTED=0 ./prog 2>> %t/bad.err
// RUN: FileCheck --check-prefix=BAD --match-full-lines %s < %t/bad.err
// BAD:      tracemalloc: TRACEMALLOC_PEAK=101: expected a percentage, 0 to 100; ignored
// BAD-NEXT: tracemalloc: TRACEMALLOC_PEAK=-1: expected a percentage, 0 to 100; ignored
// RUN: %tracemalloc stats %t/bad.tms | FileCheck --check-prefix=NONE %s
//
// RUN: %tracemalloc compare %t/exact.tms %t/coarse.tms --peak | FileCheck --check-prefix=COMPARE %s
// COMPARE:      [ Top 10 differences ]
// COMPARE-NEXT: dump-peak.c:78: size=2600 B (+2600 B), count=1 (+1), average=2600 B
// COMPARE-NEXT: dump-peak.c:75: size=0 B (-2000 B), count=0 (-1)
// COMPARE-NEXT: dump-peak.c:77: size=500 B (+500 B), count=1 (+1), average=500 B
// COMPARE-NEXT: dump-peak.c:74: size=1000 B (+0 B), count=1 (+0), average=1000 B
// RUN: %tracemalloc traceback %t/exact.tms --peak --limit 1 | FileCheck --check-prefix=TRACEBACK %s
// TRACEBACK:      1 memory blocks: 2.5 KiB
// TRACEBACK-NEXT:   File "{{.*}}dump-peak.c", line 78
// RUN: %tracemalloc display %t/coarse.tms --peak | FileCheck --check-prefix=DISPLAY %s
// DISPLAY: Total allocated size: 2.9 KiB
// RUN: %tracemalloc export %t/coarse.tms --peak --format json -o - | FileCheck --check-prefix=JSON %s
// JSON-DAG: "size": 1000,
// JSON-DAG: "size": 2000,
#include <stdlib.h>

static void *volatile a, *volatile b, *volatile c, *volatile d;

int main(void) {
  a = malloc(1000);
  b = malloc(2000);
  free((void *)b);
  c = malloc(500);
  d = malloc(2600);
  free((void *)d);
  return 0;
}
