// A C++ exception thrown through several instrumented frames: the landing
// pads set the shadow-stack depth back to their frame's, so an allocation in
// a destructor run by the unwinder and the allocations after the catch have
// their exact tracebacks.
//
// RUN: %tmcxx -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=16 %t.O0 | FileCheck %s
// RUN: %tmcxx -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=16 %t.O2 | FileCheck %s
#include <cstdlib>

#include "Inputs/shadow-print.h"

void *volatile sink[8];
volatile int kept;

__attribute__((noinline)) void keep(size_t n) { sink[kept++] = malloc(n); }

struct Guard {
  int level;
  ~Guard() {
    if (level == 1)
      keep(1003);
  }
};

__attribute__((noinline)) void thrower(int n) {
  Guard guard{n};
  keep(10);
  if (n == 0)
    throw 42;
  thrower(n - 1);
}

__attribute__((noinline)) void catcher() {
  try {
    thrower(3);
  } catch (int) {
    sink[kept++] = malloc(1001);
    keep(1002);
  }
}

int main() {
  catcher();
  shadow_print_traces(1000);
  return 0;
}

// In the catch block: catcher's frame is the top one again.
// CHECK:      size=1001 nframe=2 total=2
// CHECK-NEXT:   main exceptions.cpp:45
// CHECK-NEXT:   catcher() exceptions.cpp:39
// CHECK-NEXT: size=1002 nframe=3 total=3
// CHECK-NEXT:   main exceptions.cpp:45
// CHECK-NEXT:   catcher() exceptions.cpp:40
// CHECK-NEXT:   keep(unsigned long) exceptions.cpp:17
// During unwinding, in the cleanup of thrower(1) (its closing brace): the
// frames of thrower(0), already left, are gone.
// CHECK-NEXT: size=1003 nframe=7 total=7
// CHECK-NEXT:   main exceptions.cpp:45
// CHECK-NEXT:   catcher() exceptions.cpp:37
// CHECK-NEXT:   thrower(int) exceptions.cpp:32
// CHECK-NEXT:   thrower(int) exceptions.cpp:32
// CHECK-NEXT:   thrower(int) exceptions.cpp:33
// CHECK-NEXT:   Guard::~Guard() exceptions.cpp:23
// CHECK-NEXT:   keep(unsigned long) exceptions.cpp:17
// libstdc++'s emergency exception pool, allocated by its initialiser: traced
// because tracing starts from the executable's .preinit_array.
// CHECK-NEXT: size=72704 nframe=1 total=1
// CHECK-NEXT:   <unknown>:0
// CHECK-NEXT: end

// Every frame with its depth in stack slots (FunctionInstrumenter::spillFrame):
// the same tracebacks. (At the end: RUN lines above would move the lines
// the checks pin.)
// RUN: %tmcxx -O2 -mllvm -tracemalloc-spilled-frame-calls=1 %s -o %t.spilled
// RUN: env TRACEMALLOC=16 %t.spilled | FileCheck %s
