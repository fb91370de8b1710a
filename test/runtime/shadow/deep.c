// Recursion deeper than the shadow stack's capacity (TM_SHADOW_CAP = 4096
// slots): no crash, total_nframe is the true depth, and the frames kept are
// the most recent ones. The slots are a ring: a frame deeper than the
// capacity takes the slot of the frame 4096 below it, so the innermost 4096
// callers are exact and the outer ones are lost, but counted. Here the
// allocating function has no frame of its own.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=8 %t.O0 | FileCheck %s
// RUN: env TRACEMALLOC=65535 %t.O0 | FileCheck --check-prefix=ALL %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=8 %t.O2 | FileCheck %s
// RUN: env TRACEMALLOC=65535 %t.O2 | FileCheck --check-prefix=ALL %s
#include "Inputs/shadow-print.h"

void *volatile sink;
volatile int seen;

__attribute__((noinline)) void leaf(void) { sink = malloc(1001); }

__attribute__((noinline)) void recurse(int n) {
  if (n == 0) {
    leaf();
    return;
  }
  if (n % 1000 == 0) {
    // Nothing to hoist or sink: -O2 keeps the two calls apart.
    __asm__ volatile("");
    recurse(n - 1);
    __asm__ volatile("");
  } else
    recurse(n - 1);
  seen = n; // not a tail call
}

int main(void) {
  recurse(5000);
  shadow_print_runs(1000);
  return 0;
}

// main + 5001 recurse frames + leaf.
// CHECK:      size=1001 nframe=8 total=5003
// CHECK-NEXT:   recurse deep.c:32 x6
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   leaf deep.c:19
// CHECK-NEXT: end

// With every frame kept: the site, then the slots of recurse(4095) to
// recurse(0), the 4096 innermost frames; main and recurse(5000) to
// recurse(4096) are lost. recurse(n) is called at line 29 when n is a
// multiple of 1000, else at line 32.
// ALL:      size=1001 nframe=4097 total=5003
// ALL-NEXT:   recurse deep.c:32 x95
// ALL-NEXT:   recurse deep.c:29
// ALL-NEXT:   recurse deep.c:32 x999
// ALL-NEXT:   recurse deep.c:29
// ALL-NEXT:   recurse deep.c:32 x999
// ALL-NEXT:   recurse deep.c:29
// ALL-NEXT:   recurse deep.c:32 x999
// ALL-NEXT:   recurse deep.c:29
// ALL-NEXT:   recurse deep.c:32 x999
// ALL-NEXT:   recurse deep.c:23
// ALL-NEXT:   leaf deep.c:19
// ALL-NEXT: end

// Every frame with its depth in stack slots (FunctionInstrumenter::spillFrame):
// the same tracebacks. (At the end: RUN lines above would move the lines
// the checks pin.)
// RUN: %tmcc -O2 -mllvm -tracemalloc-spilled-frame-calls=1 %s -o %t.spilled
// RUN: env TRACEMALLOC=8 %t.spilled | FileCheck %s
