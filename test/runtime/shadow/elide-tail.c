// Tail calls and TRACEMALLOC_ELIDE_TAIL_FRAMES. By default a function that
// returns what a call that may allocate returns still has its frame (the
// call is no longer a tail call): tracebacks are exact at -O2 as at -O0.
// With TRACEMALLOC_ELIDE_TAIL_FRAMES=1 at compile time such calls keep no
// call site and stay tail calls: the functions that made them are missing
// from tracebacks, as they are from an unwinder's, and nothing else is.
//
// clang-format off
// RUN: %tmcc -O2 %s -o %t
// RUN: env TRACEMALLOC=8 %t | FileCheck %s --check-prefix=EXACT
// RUN: env TRACEMALLOC_ELIDE_TAIL_FRAMES=1 %tmcc -O2 %s -o %t.elide
// RUN: env TRACEMALLOC=8 %t.elide | FileCheck %s --check-prefix=ELIDE
// RUN: env TRACEMALLOC_ELIDE_TAIL_FRAMES=1 %clang -O2 -g -fpass-plugin=%plugin -I%include -S -emit-llvm -o - %s | FileCheck %s --check-prefix=IR
// clang-format on

#include "Inputs/shadow-print.h"

#define NOINLINE __attribute__((noinline))

void *volatile sink[4];

NOINLINE void *leaf(size_t n) { return malloc(n); }

NOINLINE void *forward(size_t n) { return leaf(n + 1); }

NOINLINE void *twice(size_t n) {
  sink[2] = leaf(n);
  return forward(n + 2);
}

int main(void) {
  sink[0] = forward(900);
  sink[1] = twice(1000);
  shadow_print_traces(900);
  return 0;
}

// @forward has no frame at all, and its call stays a tail call.
// IR-LABEL: define {{.*}}ptr @forward(
// IR-NOT: __tm_shadow
// IR: tail call {{.*}}@leaf(
// IR-NEXT: ret ptr
// @twice pops its frame before the tail call.
// IR-LABEL: define {{.*}}ptr @twice(
// IR: call {{.*}}@leaf(
// IR: store i32 %{{[0-9a-z.]+}}, ptr {{%[0-9a-z.]+|@__tm_shadow}}, align 4
// IR-NEXT: tail call {{.*}}@forward(
// IR-NEXT: ret ptr

// EXACT: size=901 nframe=3 total=3
// EXACT-NEXT: main elide-tail.c:32
// EXACT-NEXT: forward elide-tail.c:24
// EXACT-NEXT: leaf elide-tail.c:22
// EXACT-NEXT: size=1000 nframe=3 total=3
// EXACT-NEXT: main elide-tail.c:33
// EXACT-NEXT: twice elide-tail.c:27
// EXACT-NEXT: leaf elide-tail.c:22
// EXACT-NEXT: size=1003 nframe=4 total=4
// EXACT-NEXT: main elide-tail.c:33
// EXACT-NEXT: twice elide-tail.c:28
// EXACT-NEXT: forward elide-tail.c:24
// EXACT-NEXT: leaf elide-tail.c:22
// EXACT-NEXT: end

// ELIDE: size=901 nframe=2 total=2
// ELIDE-NEXT: main elide-tail.c:32
// ELIDE-NEXT: leaf elide-tail.c:22
// ELIDE-NEXT: size=1000 nframe=3 total=3
// ELIDE-NEXT: main elide-tail.c:33
// ELIDE-NEXT: twice elide-tail.c:27
// ELIDE-NEXT: leaf elide-tail.c:22
// ELIDE-NEXT: size=1003 nframe=2 total=2
// ELIDE-NEXT: main elide-tail.c:33
// ELIDE-NEXT: leaf elide-tail.c:22
// ELIDE-NEXT: end
