// Recursion deeper than the shadow stack's capacity, allocating in a
// function that has a frame of its own (flags = TM_SITE_OWN_FRAME) and that
// called something else first. Its own frame stores into the last slot too,
// so that slot holds its stale call site (line 25), not its caller's: the
// runtime must count the frames sharing that slot as lost rather than
// report the stale site as the caller.
//
// So push_callers starts one slot lower for TM_SITE_OWN_FRAME sites beyond
// the capacity: the innermost caller is lost (counted), never replaced by
// the stale line-25 site.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=8 %t.O0 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=8 %t.O2 | FileCheck %s
#include "Inputs/shadow-print.h"

void *volatile sink[2];
volatile int seen;

__attribute__((noinline)) void touch(void) { sink[1] = malloc(8); }

__attribute__((noinline)) void recurse(int n) {
  if (n == 0) {
    touch();
    sink[0] = malloc(1001);
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

// main + 5001 recurse frames.
// CHECK:      size=1001 nframe=8 total=5002
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:29
// CHECK-NEXT:   recurse deep-own-frame.c:26
// CHECK-NEXT: end
