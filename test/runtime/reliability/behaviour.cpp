// operator new and delete behave exactly as without TraceMalloc: the
// new_handler is called as often, std::bad_alloc is thrown as it would be
// (new int[SIZE_MAX / 2] too: clang saturates the size), nothrow forms
// return nullptr, new of size 0 gives a block, and a replacement operator
// new[] defined by the program is the one called, as often. The output of a
// plain clang++ build is compared with the tmc++ build's at the same -O
// level.
//
// Not under a sanitized runtime (utils/check-sanitizers): AddressSanitizer's
// operator new reports an impossible size and aborts instead of throwing.
// UNSUPPORTED: sanitized
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clangxx -std=c++17 -O0 %s -o %t/plain0
// RUN: %tmcxx -std=c++17 -O0 %s -o %t/tm0
// RUN: %clangxx -std=c++17 -O2 %s -o %t/plain2
// RUN: %tmcxx -std=c++17 -O2 %s -o %t/tm2
// RUN: %t/plain0 > %t/plain0.out
// RUN: env TRACEMALLOC=5 %t/tm0 > %t/tm0.out
// RUN: diff %t/plain0.out %t/tm0.out
// RUN: %t/plain2 > %t/plain2.out
// RUN: env TRACEMALLOC=5 %t/tm2 > %t/tm2.out
// RUN: diff %t/plain2.out %t/tm2.out
// RUN: FileCheck %s < %t/tm0.out
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

static volatile std::size_t huge = SIZE_MAX / 4, zero = 0;
static volatile std::size_t count_huge = SIZE_MAX / 2;
static void *volatile sink;

static int handler_calls;
static void handler() {
  // Give up on the third call: the next attempt throws bad_alloc.
  if (++handler_calls == 3)
    std::set_new_handler(nullptr);
}

// A replacement of the array form, as programs define them.
static int replaced_calls;
void *operator new[](std::size_t size) {
  replaced_calls++;
  void *p = std::malloc(size ? size : 1);
  if (!p)
    throw std::bad_alloc();
  return p;
}
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

struct alignas(256) Aligned {
  char bytes[256];
};

int main() {
  std::set_new_handler(handler);
  try {
    sink = new char[huge];
    std::printf("new char[huge]: no exception\n");
  } catch (const std::bad_alloc &) {
    std::printf("new char[huge]: bad_alloc\n");
  }
  std::printf("handler calls: %d, replaced calls: %d\n", handler_calls,
              replaced_calls);

  handler_calls = 0;
  std::set_new_handler(handler);
  try {
    sink = ::operator new(huge);
    std::printf("operator new(huge): no exception\n");
  } catch (const std::bad_alloc &) {
    std::printf("operator new(huge): bad_alloc\n");
  }
  std::printf("handler calls: %d\n", handler_calls);
  std::set_new_handler(nullptr);

  sink = new (std::nothrow) char[huge];
  std::printf("nothrow new char[huge]: %s\n", sink ? "ptr" : "nullptr");
  sink = ::operator new(huge, std::nothrow);
  std::printf("nothrow operator new(huge): %s\n", sink ? "ptr" : "nullptr");
  try {
    sink = new Aligned[huge / 256];
    std::printf("aligned new: no exception\n");
  } catch (const std::bad_alloc &) {
    std::printf("aligned new[huge]: bad_alloc\n");
  }
  sink = ::operator new(huge, std::align_val_t(64), std::nothrow);
  std::printf("nothrow aligned new(huge): %s\n", sink ? "ptr" : "nullptr");
  try {
    sink = new int[count_huge];
    std::printf("new int[SIZE_MAX / 2]: no exception\n");
  } catch (const std::bad_array_new_length &) {
    std::printf("new int[SIZE_MAX / 2]: bad_array_new_length\n");
  } catch (const std::bad_alloc &) {
    std::printf("new int[SIZE_MAX / 2]: bad_alloc\n");
  }

  char *empty = new char[zero];
  Aligned *aligned = new Aligned;
  std::printf("new char[0]: %s, aligned: %d\n", empty ? "ptr" : "nullptr",
              reinterpret_cast<std::uintptr_t>(aligned) % 256 == 0);
  delete[] empty;
  delete aligned;
  errno = 4321;
  int *one = new int(7);
  delete one;
  std::printf("errno kept: %d, replaced calls: %d\n", errno, replaced_calls);
  return 0;
}

// CHECK: new char[huge]: bad_alloc
// CHECK-NEXT: handler calls: 0, replaced calls: 1
// CHECK-NEXT: operator new(huge): bad_alloc
// CHECK-NEXT: handler calls: 3
// CHECK-NEXT: nothrow new char[huge]: nullptr
// CHECK-NEXT: nothrow operator new(huge): nullptr
// CHECK-NEXT: aligned new[huge]: bad_alloc
// CHECK-NEXT: nothrow aligned new(huge): nullptr
// CHECK-NEXT: new int[SIZE_MAX / 2]: bad_alloc
// CHECK-NEXT: new char[0]: ptr, aligned: 1
// CHECK-NEXT: errno kept: 4321
