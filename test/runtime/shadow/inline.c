// The shadow stack gives the callers' frames: a() -> b() -> c() -> malloc
// has the same traceback, with the same lines, whether b and c keep their
// calls (-O0) or are inlined into a (-O2, from the inlinedAt chain).
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=16 %t.O0 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=16 %t.O2 | FileCheck %s
#include "Inputs/shadow-print.h"

void *volatile sink;

static inline void c(void) { sink = malloc(1001); }
static inline void b(void) { c(); }
__attribute__((noinline)) void a(void) { b(); }

int main(void) {
  a();
  shadow_print_traces(1000);
  return 0;
}

// CHECK:      size=1001 nframe=4 total=4
// CHECK-NEXT:   main inline.c:18
// CHECK-NEXT:   a inline.c:15
// CHECK-NEXT:   b inline.c:14
// CHECK-NEXT:   c inline.c:13
// CHECK-NEXT: end
