// Recursion deeper than the shadow stack's capacity, allocating in a
// function that has a frame of its own (flags = TM_SITE_OWN_FRAME) and that
// called something else first. Its own frame holds one of the ring's 4096
// slots (with its stale call site, line 23): the ring then keeps 4095
// callers, and the frame that shared its slot is lost (counted), never
// reported with the stale site.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=8 %t.O0 | FileCheck %s
// RUN: env TRACEMALLOC=65535 %t.O0 | FileCheck --check-prefix=ALL %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=8 %t.O2 | FileCheck %s
// RUN: env TRACEMALLOC=65535 %t.O2 | FileCheck --check-prefix=ALL %s
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

// main + 5001 recurse frames.
// CHECK:      size=1001 nframe=8 total=5002
// CHECK-NEXT:   recurse deep-own-frame.c:33 x7
// CHECK-NEXT:   recurse deep-own-frame.c:24
// CHECK-NEXT: end

// With every frame kept: the site, then the slots of recurse(4095) to
// recurse(1), recurse(0) having the 4096th; main and recurse(5000) to
// recurse(4096) are lost. recurse(n) is called at line 30 when n is a
// multiple of 1000, else at line 33.
// ALL:      size=1001 nframe=4096 total=5002
// ALL-NEXT:   recurse deep-own-frame.c:33 x95
// ALL-NEXT:   recurse deep-own-frame.c:30
// ALL-NEXT:   recurse deep-own-frame.c:33 x999
// ALL-NEXT:   recurse deep-own-frame.c:30
// ALL-NEXT:   recurse deep-own-frame.c:33 x999
// ALL-NEXT:   recurse deep-own-frame.c:30
// ALL-NEXT:   recurse deep-own-frame.c:33 x999
// ALL-NEXT:   recurse deep-own-frame.c:30
// ALL-NEXT:   recurse deep-own-frame.c:33 x999
// ALL-NEXT:   recurse deep-own-frame.c:24
// ALL-NEXT: end
