// Only code that may reach an allocation pays for the shadow stack: a
// recursive fib and a loop of arithmetic calling helpers that cannot
// allocate get no frame and no site stores, keep their memory(none)-style
// attributes, and the function that does allocate still has its exact
// traceback.
//
// RUN: %clang -O2 -g -I%include -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefix=IR
// RUN: %clang -O0 -g -I%include -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefix=IR
// RUN: %tmcc -O2 %s -o %t
// RUN: env TRACEMALLOC=4 %t | FileCheck %s
#include <string.h>

#include "Inputs/shadow-print.h"

struct point {
  int x, y;
};

__attribute__((noinline)) int fib(int n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) int norm(const struct point *p) {
  return abs(p->x) + abs(p->y);
}

__attribute__((noinline)) int total(const struct point *points, int n,
                                    const char *name) {
  int sum = (int)strlen(name);
  for (int i = 0; i < n; i++)
    sum += norm(&points[i]);
  return sum;
}

void *volatile sink;

int main(void) {
  struct point points[4] = {{1, -2}, {3, 4}, {-5, 6}, {7, 8}};
  int size = fib(15) + total(points, 4, "four");
  sink = malloc((size_t)size);
  shadow_print_traces(600);
  return 0;
}

// IR-LABEL: define {{.*}}i32 @fib(
// IR-NOT: __tm_
// IR: ret i32
// IR-LABEL: define {{.*}}i32 @norm(
// IR-NOT: __tm_
// IR: ret i32
// IR-LABEL: define {{.*}}i32 @total(
// IR-NOT: __tm_
// IR: ret i32
// IR-LABEL: define {{.*}}i32 @main(
// IR: @__tm_shadow
// IR: call {{.*}}@__tm_malloc(

// fib(15) = 610, total = 4 + 36.
// CHECK:      size=650 nframe=1 total=1
// CHECK-NEXT:   main fib.c:40
// CHECK-NEXT: end
