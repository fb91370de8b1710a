// TRACEMALLOC_DUMP_EVERY: the snapshot is the live set at the allocation
// that crosses the step, even when that block is freed at once and the
// program exits right after, without waiting for the dump thread.
// Six blocks of 10000 bytes, then one of 20000 crosses 64 KiB (80000 bytes)
// and is freed; no later allocation crosses the next step.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 %s -o %t.prog
// RUN: cd %t && env TRACEMALLOC_DUMP=grow.tms TRACEMALLOC_DUMP_EVERY=64K TRACEMALLOC_UNINSTRUMENTED=0 %t.prog
// RUN: ls %t | FileCheck --check-prefix=FILES %s
// RUN: %tracemalloc stats %t/grow.1.tms | FileCheck %s
// RUN: %tracemalloc top %t/grow.1.tms | FileCheck --check-prefix=TOP %s
// RUN: %tracemalloc stats %t/grow.tms | FileCheck --check-prefix=EXIT %s
//
// FILES:      grow.1.tms
// FILES-NEXT: grow.tms
// FILES-NOT:  {{.}}
// CHECK: traces: 7
// CHECK: size: 78.1 KiB (80000 bytes)
// TOP:      [ Top 10 ]
// TOP-NEXT: dump-every-exact.c:33: size=58.6 KiB, count=6, average=10000 B
// TOP-NEXT: dump-every-exact.c:34: size=19.5 KiB, count=1, average=19.5 KiB
// TOP-NOT:  {{.}}
// EXIT: traces: 6
// EXIT: size: 58.6 KiB (60000 bytes)
#include <stdlib.h>

static void *volatile kept[6];
static void *volatile crossing;

int main(void) {
  for (int i = 0; i < 6; i++)
    kept[i] = malloc(10000);
  crossing = malloc(20000);
  free(crossing);
  return 0;
}
