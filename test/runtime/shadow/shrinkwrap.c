// Shrink-wrapped frames: a function whose calls that may allocate lie on a
// rare path pushes its frame only there. Its allocations before that path
// (outside the frame) and on it (inside) both get exact tracebacks, and so
// do the callers' later allocations, after the frame was popped on the
// path's way out, and after a loop that pushed it once for all iterations.
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

void *volatile sink[8];

NOINLINE void *grow(size_t n) { return malloc(n); }

NOINLINE void *lookup(int miss, size_t n) {
  sink[0] = malloc(n);
  if (miss) {
    void *p = grow(n + 1);
    sink[1] = malloc(n + 2);
    return p;
  }
  return NULL;
}

NOINLINE void fill(int n) {
  for (int i = 0; i < n; i++)
    if (i == 3)
      sink[2] = grow(1003);
}

int main(void) {
  lookup(0, 700);
  sink[3] = malloc(800);
  sink[4] = lookup(1, 900);
  sink[5] = malloc(1000);
  fill(5);
  sink[6] = malloc(1100);
  shadow_print_traces(700);
  return 0;
}

// The frame of lookup is pushed after its first malloc, on the miss path.
// IR-LABEL: define {{.*}}ptr @lookup(
// IR-NOT: __tm_shadow
// IR: call {{.*}}@__tm_malloc(
// IR: br i1
// IR: __tm_shadow
// IR: ret ptr

// The first lookup leaked its 700 bytes.
// CHECK: size=700 nframe=2 total=2
// CHECK-NEXT: main shrinkwrap.c:40
// CHECK-NEXT: lookup shrinkwrap.c:24
// CHECK-NEXT: size=800 nframe=1 total=1
// CHECK-NEXT: main shrinkwrap.c:41
// CHECK-NEXT: size=900 nframe=2 total=2
// CHECK-NEXT: main shrinkwrap.c:42
// CHECK-NEXT: lookup shrinkwrap.c:24
// CHECK-NEXT: size=901 nframe=3 total=3
// CHECK-NEXT: main shrinkwrap.c:42
// CHECK-NEXT: lookup shrinkwrap.c:26
// CHECK-NEXT: grow shrinkwrap.c:21
// CHECK-NEXT: size=902 nframe=2 total=2
// CHECK-NEXT: main shrinkwrap.c:42
// CHECK-NEXT: lookup shrinkwrap.c:27
// CHECK-NEXT: size=1000 nframe=1 total=1
// CHECK-NEXT: main shrinkwrap.c:43
// CHECK-NEXT: size=1003 nframe=3 total=3
// CHECK-NEXT: main shrinkwrap.c:44
// CHECK-NEXT: fill shrinkwrap.c:36
// CHECK-NEXT: grow shrinkwrap.c:21
// CHECK-NEXT: size=1100 nframe=1 total=1
// CHECK-NEXT: main shrinkwrap.c:45
// CHECK-NEXT: end

// Every frame with its depth in stack slots (FunctionInstrumenter::spillFrame):
// the same tracebacks. (At the end: RUN lines above would move the lines
// the checks pin.)
// RUN: %tmcc -O2 -mllvm -tracemalloc-spilled-frame-calls=1 %s -o %t.spilled
// RUN: env TRACEMALLOC=8 %t.spilled | FileCheck %s
