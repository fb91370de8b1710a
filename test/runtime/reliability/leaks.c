// TRACEMALLOC_LEAKS=1: at exit, the blocks still allocated, grouped by
// traceback, biggest first, each traceback's frames as Python's traceback
// module prints a stack (with the functions) and their source lines; on
// stderr, the program's output untouched.
//
// RUN: %tmcc -O0 %s -o %t
// RUN: env TRACEMALLOC_LEAKS=1 TRACEMALLOC_UNINSTRUMENTED=0 %t 2>%t.err | FileCheck --check-prefix=OUT %s
// RUN: FileCheck %s < %t.err
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *volatile keep[8];

static void *leak_one(size_t size) {
  return malloc(size);
}

int main(void) {
  for (int i = 0; i < 3; i++)
    keep[i] = leak_one(1000);
  void *freed = malloc(5);
  free(freed);
  keep[3] = strdup("x");
  puts("done");
  return 0;
}

// OUT: done
// CHECK:      tracemalloc: 4 blocks (2.9 KiB) still allocated at exit, from 2 tracebacks; the biggest:
// CHECK-NEXT: 3 memory blocks: 2.9 KiB
// CHECK-NEXT:   File "{{/.*}}/leaks.c", line 21, in main{{$}}
// CHECK-NEXT:     keep[i] = leak_one(1000);
// CHECK-NEXT:   File "{{/.*}}/leaks.c", line 16, in leak_one{{$}}
// CHECK-NEXT:     return malloc(size);
// CHECK-NEXT: 1 memory blocks: 0.0 KiB
// CHECK-NEXT:   File "{{/.*}}/leaks.c", line 24, in main{{$}}
// CHECK-NEXT:     keep[3] = strdup("x");
// CHECK-NOT: {{.}}
