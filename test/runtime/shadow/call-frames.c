// Frames around single rare calls: an allocator whose slow paths (a large
// request, an empty pool) call out on different branches pushes a frame
// around each such call only, and pops it after. The blocks allocated
// through each slow path, the allocator's own direct malloc (outside any
// frame of its own), and the caller's allocations after a slow path all get
// exact tracebacks; so does a deep chain through slow paths. At -O0 the
// same code keeps its frame at the entry (no branch weights then): same
// tracebacks.
//
// clang-format off
// RUN: %clang -O2 -g -I%include -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefix=IR
// RUN: %tmcc -O2 %s -o %t
// RUN: env TRACEMALLOC=8 %t | FileCheck %s
// RUN: %tmcc -O0 %s -o %t0
// RUN: env TRACEMALLOC=8 %t0 | FileCheck %s
// clang-format on

#include "Inputs/shadow-print.h"

#define NOINLINE __attribute__((noinline))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

void *volatile sink[16];
static char pool[4][64];
static int pool_left;

NOINLINE void *raw_alloc(size_t n) { return malloc(n); }
NOINLINE void *refill(size_t n) { return malloc(n); }

NOINLINE void *obj_alloc(size_t n) {
  if (UNLIKELY(n > 512))
    return raw_alloc(n);
  if (UNLIKELY(pool_left == 0)) {
    pool_left = 4;
    sink[15] = refill(n + 1000);
  }
  if (UNLIKELY(n == 77))
    return malloc(n + 1200);
  return pool[--pool_left];
}

NOINLINE void *nested(size_t n) { return obj_alloc(n); }

int main(void) {
  obj_alloc(8);
  sink[0] = obj_alloc(600);
  sink[1] = malloc(1300);
  sink[2] = nested(700);
  sink[3] = obj_alloc(77);
  sink[4] = malloc(1400);
  shadow_print_traces(600);
  return 0;
}

// No shadow-stack code on obj_alloc's common path: the first thing it does
// is compare, and the depth is decremented after each slow call.
// IR-LABEL: define {{.*}}ptr @obj_alloc(
// IR-NOT: __tm_shadow
// IR: icmp ugt i64 %0, 512
// IR: call ptr @raw_alloc(
// LLVM 14 loads @__tm_shadow directly, later ones the address that
// llvm.threadlocal.address gave the push.
// IR-NEXT: load i32, ptr {{%[0-9]+|@__tm_shadow}}
// IR-NEXT: sub i32 %{{[0-9]+}}, 1
// IR: ret ptr

// CHECK: size=600 nframe=3 total=3
// CHECK-NEXT: main call-frames.c:46
// CHECK-NEXT: obj_alloc call-frames.c:32
// CHECK-NEXT: raw_alloc call-frames.c:27
// CHECK-NEXT: size=700 nframe=4 total=4
// CHECK-NEXT: main call-frames.c:48
// CHECK-NEXT: nested call-frames.c:42
// CHECK-NEXT: obj_alloc call-frames.c:32
// CHECK-NEXT: raw_alloc call-frames.c:27
// CHECK-NEXT: size=1008 nframe=3 total=3
// CHECK-NEXT: main call-frames.c:45
// CHECK-NEXT: obj_alloc call-frames.c:35
// CHECK-NEXT: refill call-frames.c:28
// CHECK-NEXT: size=1277 nframe=2 total=2
// CHECK-NEXT: main call-frames.c:49
// CHECK-NEXT: obj_alloc call-frames.c:38
// CHECK-NEXT: size=1300 nframe=1 total=1
// CHECK-NEXT: main call-frames.c:47
// CHECK-NEXT: size=1400 nframe=1 total=1
// CHECK-NEXT: main call-frames.c:50
// CHECK-NEXT: end

// Every frame with its depth in stack slots (FunctionInstrumenter::spillFrame):
// the same tracebacks. (At the end: RUN lines above would move the lines
// the checks pin.)
// RUN: %tmcc -O2 -mllvm -tracemalloc-spilled-frame-calls=1 %s -o %t.spilled
// RUN: env TRACEMALLOC=8 %t.spilled | FileCheck %s
