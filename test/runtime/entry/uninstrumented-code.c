// Allocations made by code compiled without the plugin -- libc's fopen and
// getline, a prebuilt shared library -- are seen by the runtime and
// attributed to the innermost instrumented call site; frees made there keep
// the table exact. TRACEMALLOC_UNINSTRUMENTED=0 turns the recording off.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -shared -fPIC %S/Inputs/prebuilt.c -o %t/libprebuilt.so
// RUN: %tmcc -O0 %s -L%t -lprebuilt -Wl,-rpath,%t -o %t/prog
// RUN: env TRACEMALLOC=5 TRACEMALLOC_DUMP=%t/on.tms %t/prog %s
// RUN: %tracemalloc top %t/on.tms | FileCheck %s
// RUN: env TRACEMALLOC=5 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/off.tms %t/prog %s
// RUN: %tracemalloc top %t/off.tms | FileCheck --check-prefix=OFF %s
#include <stdio.h>
#include <stdlib.h>

void *prebuilt_alloc(size_t size);
void prebuilt_free(void *ptr);
char *prebuilt_strdup(const char *s);

void *volatile keep[8];

static char *read_first_line(const char *path) {
  FILE *file = fopen(path, "r"); // its FILE is freed by fclose: no trace
  char *line = NULL;
  size_t capacity = 0;
  if (getline(&line, &capacity, file) < 0) // glibc allocates 120 bytes
    abort();
  fclose(file);
  return line;
}

int main(int argc, char **argv) {
  (void)argc;
  keep[0] = read_first_line(argv[1]);
  keep[1] = prebuilt_alloc(1234);
  keep[2] = prebuilt_strdup("abc");
  void *freed_there = malloc(4321);
  prebuilt_free(freed_there);
  void *allocated_there = prebuilt_alloc(777);
  free(allocated_there);
  keep[3] = malloc(99);
  return 0;
}

// CHECK: [ Top 10 ]
// CHECK-NEXT: {{^/.*}}/uninstrumented-code.c:35: size=1234 B, count=1, average=1234 B
// CHECK-NEXT: uninstrumented-code.c:26: size=120 B, count=1, average=120 B
// CHECK-NEXT: uninstrumented-code.c:41: size=99 B, count=1, average=99 B
// CHECK-NEXT: uninstrumented-code.c:36: size=4 B, count=1, average=4 B
// CHECK-NOT: {{.}}

// OFF: [ Top 10 ]
// OFF-NEXT: {{^/.*}}/uninstrumented-code.c:41: size=99 B, count=1, average=99 B
// OFF-NOT: {{.}}
