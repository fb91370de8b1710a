// Uninstrumented code is invisible: a comparator called by the C library's
// qsort has the caller of qsort as its caller.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=16 %t.O0 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=16 %t.O2 | FileCheck %s
#include "Inputs/shadow-print.h"

void *volatile sink;

static int compare(const void *a, const void *b) {
  if (!sink)
    sink = malloc(1001);
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

__attribute__((noinline)) void sort_them(int *values, size_t n) {
  qsort(values, n, sizeof(values[0]), compare);
}

int main(void) {
  int values[] = {5, 3, 8, 1, 9, 2, 7};
  sort_them(values, sizeof(values) / sizeof(values[0]));
  shadow_print_traces(1000);
  return values[0] == 1 ? 0 : 1;
}

// CHECK:      size=1001 nframe=3 total=3
// CHECK-NEXT:   main qsort.c:25
// CHECK-NEXT:   sort_them qsort.c:20
// CHECK-NEXT:   compare qsort.c:14
// CHECK-NEXT: end
