// TRACEMALLOC_PEAK with numbered dumps: a dump requested by a signal holds
// the peak of traced memory and the traces at the peak as they were at the
// request, as a snapshot taken then would; the dump at exit holds them as
// they are at exit. 1000 + 2000 bytes live together (3000), the 2000 are
// freed and 500 allocated (1500 live); the signal comes then. After it, a
// rise to 5500 bytes (4000 more), freed.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 -g %s -o %t/prog
// RUN: cd %t && env TRACEMALLOC_PEAK=0 TRACEMALLOC_DUMP=out.tms TRACEMALLOC_DUMP_SIGNAL=USR1 TRACEMALLOC_UNINSTRUMENTED=0 ./prog
//
// RUN: %tracemalloc stats %t/out.1.tms | FileCheck --check-prefix=AT-SIGNAL %s
// AT-SIGNAL:      size: 1500 B (1500 bytes)
// AT-SIGNAL:      peak: 3000 B (3000 bytes)
// AT-SIGNAL-NEXT: peak_traces: 2
// AT-SIGNAL-NEXT: peak_size: 3000 B (3000 bytes)
// RUN: %tracemalloc top %t/out.1.tms --peak | FileCheck --check-prefix=TOP %s
// TOP:      [ Top 10 ]
// TOP-NEXT: dump-peak-numbered.c:42: size=2000 B, count=1, average=2000 B
// TOP-NEXT: dump-peak-numbered.c:41: size=1000 B, count=1, average=1000 B
// TOP-NOT:  {{.}}
//
// RUN: %tracemalloc stats %t/out.tms | FileCheck --check-prefix=AT-EXIT %s
// AT-EXIT:      size: 1500 B (1500 bytes)
// AT-EXIT:      peak: 5500 B (5500 bytes)
// AT-EXIT-NEXT: peak_traces: 3
// AT-EXIT-NEXT: peak_size: 5500 B (5500 bytes)
//
// Without TRACEMALLOC_PEAK, a numbered dump still has the peak of traced
// memory, and no traces at it.
// RUN: cd %t && env TRACEMALLOC_DUMP=none.tms TRACEMALLOC_DUMP_SIGNAL=USR1 TRACEMALLOC_UNINSTRUMENTED=0 ./prog
// RUN: %tracemalloc stats %t/none.1.tms | FileCheck --check-prefix=NONE %s
// NONE:     peak: 3000 B (3000 bytes)
// NONE-NOT: peak_traces
#include <signal.h>
#include <stdlib.h>

static void *volatile a, *volatile b, *volatile c, *volatile d;

int main(void) {
  a = malloc(1000);
  b = malloc(2000);
  free((void *)b);
  c = malloc(500);
  raise(SIGUSR1);
  d = malloc(4000);
  free((void *)d);
  return 0;
}
