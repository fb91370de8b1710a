// Recursion deeper than the shadow stack's capacity (TM_SHADOW_CAP = 4096
// slots): no crash, total_nframe is the true depth, and the frames kept are
// the most recent ones. Frames deeper than the capacity all store into the
// last slot, which holds the innermost caller's call site here: the
// allocating function has no frame of its own.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=8 %t.O0 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=8 %t.O2 | FileCheck %s
#include "Inputs/shadow-print.h"

void *volatile sink;
volatile int seen;

__attribute__((noinline)) void leaf(void) { sink = malloc(1001); }

__attribute__((noinline)) void recurse(int n) {
  if (n == 0) {
    leaf();
    return;
  }
  recurse(n - 1);
  seen = n; // not a tail call
}

int main(void) {
  recurse(5000);
  shadow_print_traces(1000);
  return 0;
}

// main + 5001 recurse frames + leaf.
// CHECK:      size=1001 nframe=8 total=5003
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   recurse deep.c:23
// CHECK-NEXT:   recurse deep.c:20
// CHECK-NEXT:   leaf deep.c:16
// CHECK-NEXT: end
