// A C++ allocator family whose functions throw: when the body throws, the
// wrapper's cleanup ends the call in the runtime, so the reentrancy count
// goes back down (later allocations are still traced) and a failed
// realloc's old block keeps its trace. (The configuration names symbols:
// mangled names for C++ functions, or extern "C" ones as here.)
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf 'malloc xnew size=0 domain=7\nrealloc xrealloc ptr=0 size=1 domain=7\nfree xdelete ptr=0 domain=7\n' > %t/conf
// RUN: env TRACEMALLOC_CONFIG=%t/conf %tmcxx -O0 %s -o %t/O0
// RUN: env TRACEMALLOC=4 %t/O0 | FileCheck %s
// RUN: env TRACEMALLOC_CONFIG=%t/conf %tmcxx -O2 %s -o %t/O2
// RUN: env TRACEMALLOC=4 %t/O2 | FileCheck %s
#include "Inputs/family-print.h"
#include <cstdlib>
#include <new>

extern "C" __attribute__((noinline)) void *xnew(size_t size) {
  if (size > 4096)
    throw std::bad_alloc();
  void *p = std::malloc(size);
  if (!p)
    throw std::bad_alloc();
  return p;
}

extern "C" __attribute__((noinline)) void *xrealloc(void *ptr, size_t size) {
  if (size > 4096)
    throw std::bad_alloc();
  return std::realloc(ptr, size);
}

extern "C" __attribute__((noinline)) void xdelete(void *ptr) { std::free(ptr); }

void *volatile keep[4];

int main() {
  keep[0] = xnew(1001);
  try {
    keep[1] = xnew(100000);
  } catch (const std::bad_alloc &) {
    keep[1] = xnew(1002);
  }
  try {
    keep[0] = xrealloc(keep[0], 100000);
  } catch (const std::bad_alloc &) {
  }
  xdelete(xnew(1003));
  keep[2] = xnew(1004);
  family_print_traces();
  return 0;
}

// CHECK:      domain=7 size=1001 nframe=1 total=1
// CHECK-NEXT:   main throw.cpp:37
// CHECK-NEXT: domain=7 size=1002 nframe=1 total=1
// CHECK-NEXT:   main throw.cpp:41
// CHECK-NEXT: domain=7 size=1004 nframe=1 total=1
// CHECK-NEXT:   main throw.cpp:48
// libstdc++'s emergency exception pool, allocated by its initialiser: traced
// because tracing starts from the executable's .preinit_array.
// CHECK-NEXT: domain=0 size=72704 nframe=1 total=1
// CHECK-NEXT:   <unknown>:0
// CHECK-NEXT: end
