// C++ operators new and delete in all their standard forms, at -O0 and -O2:
// sizes, counts and lines exact, deletes untrack, a failing nothrow new and a
// throwing new behave as without TraceMalloc.
//
// RUN: %tmcxx -O0 -std=c++17 %s -o %t.O0
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t.O0.tms %t.O0 | FileCheck --check-prefix=OUT %s
// RUN: %tracemalloc top --limit 20 %t.O0.tms | FileCheck %s
// RUN: %tmcxx -O2 -std=c++17 %s -o %t.O2
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t.O2.tms %t.O2 | FileCheck --check-prefix=OUT %s
// RUN: %tracemalloc top --limit 20 %t.O2.tms | FileCheck %s
#include <cstdint>
#include <cstdio>
#include <new>

struct alignas(64) Wide {
  char bytes[192];
};

struct Node {
  long value[5];
};

void *volatile keep[32];

int main() {
  for (int i = 0; i < 3; i++)
    keep[i] = new Node;
  keep[3] = new int[250];
  keep[4] = new (std::nothrow) char[77];
  keep[5] = new Wide;
  keep[6] = new Wide[2];
  keep[7] = new (std::nothrow) Wide;

  Node *gone = new Node;
  keep[8] = gone;
  delete gone;
  int *gone_array = new int[1000];
  keep[9] = gone_array;
  delete[] gone_array;
  Wide *gone_wide = new Wide;
  keep[10] = gone_wide;
  delete gone_wide;

  void *none = ::operator new(SIZE_MAX / 2, std::nothrow);
  std::printf("nothrow new of a huge size: %s\n", none ? "non-null" : "null");
  // OUT: nothrow new of a huge size: null
  try {
    keep[11] = ::operator new(SIZE_MAX / 2);
    std::printf("no exception\n");
  } catch (const std::bad_alloc &) {
    std::printf("bad_alloc\n");
  }
  // OUT: bad_alloc
  return 0;
}

// Equal sizes and counts sort by traceback, descending: line 32 before 30.
// CHECK: [ Top 20 ]
// CHECK-NEXT: {{^/.*}}/cxx-new-delete.cpp:28: size=1000 B, count=1, average=1000 B
// CHECK-NEXT: cxx-new-delete.cpp:31: size=384 B, count=1, average=384 B
// CHECK-NEXT: cxx-new-delete.cpp:32: size=192 B, count=1, average=192 B
// CHECK-NEXT: cxx-new-delete.cpp:30: size=192 B, count=1, average=192 B
// CHECK-NEXT: cxx-new-delete.cpp:27: size=120 B, count=3, average=40 B
// CHECK-NEXT: cxx-new-delete.cpp:29: size=77 B, count=1, average=77 B
// CHECK-NOT: {{.}}
