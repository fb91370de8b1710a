// An allocator family whose definitions are compiled with the plugin
// (docs/architecture.md, "Allocator families"): each block is recorded once,
// in the family's domain, with the traceback of the call of the family
// function -- also when it is called through a pointer, when its body calls nothing (a leaf
// arena), and when it is inlined into its caller (SAME_TU at -O2). The
// malloc each one calls inside is not recorded again; frees through a
// pointer are seen; a failed realloc keeps the old trace and the family's
// errno.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family-toy.tmconf %tmcc -O0 %s %S/Inputs/family-toy-alloc.c -o %t/O0
// RUN: env TRACEMALLOC=4 %t/O0 | FileCheck %s
// RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family-toy.tmconf %tmcc -O2 %s %S/Inputs/family-toy-alloc.c -o %t/O2
// RUN: env TRACEMALLOC=4 %t/O2 | FileCheck %s
// RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family-toy.tmconf %tmcc -O2 -DSAME_TU %s -o %t/same-tu
// RUN: env TRACEMALLOC=4 %t/same-tu | FileCheck %s
// Without the configuration, the family is ordinary code calling malloc.
// RUN: %tmcc -O2 %s %S/Inputs/family-toy-alloc.c -o %t/plain
// RUN: env TRACEMALLOC=4 %t/plain | FileCheck --check-prefix=PLAIN %s
#include "Inputs/family-print.h"
#include <errno.h>
#include <stdint.h>

#ifdef SAME_TU
#include "Inputs/family-toy-alloc.c"
#else
void *my_malloc(size_t size);
void *my_calloc(size_t nmemb, size_t size);
void *my_realloc(void *ptr, size_t size);
void my_free(void *ptr);
void *arena_alloc(size_t size);
#endif

void *volatile keep[16];
void *(*volatile malloc_ptr)(size_t) = my_malloc;
void (*volatile free_ptr)(void *) = my_free;
void *(*volatile arena_ptr)(size_t) = arena_alloc;
volatile size_t huge = SIZE_MAX / 2;

__attribute__((noinline)) void *make(size_t size) {
  return my_malloc(size);
}

int main(void) {
  keep[0] = my_malloc(1001);
  keep[1] = make(1002);
  keep[2] = my_calloc(10, 101);
  keep[3] = my_calloc(huge, 4); // overflow: NULL, nothing recorded
  void *grown = my_malloc(1003);
  grown = my_realloc(grown, 1004);
  errno = 0;
  keep[4] = my_realloc(grown, (size_t)1 << 40); // fails: 1004 stays
  if (keep[4] || errno != ENOMEM)
    return 1;
  keep[5] = grown;
  keep[6] = my_realloc(NULL, 1011);
  keep[7] = my_realloc(my_malloc(1012), 0); // a 1-byte block, size 0
  keep[8] = malloc_ptr(1005);
  free_ptr(my_malloc(1006));
  my_free(my_malloc(1007));
  keep[9] = arena_ptr(1008);
  keep[10] = arena_alloc(1009);
  keep[11] = malloc(1013);
  family_print_traces();
  return 0;
}

// CHECK:      domain=5 size=0 nframe=1 total=1
// CHECK-NEXT:   main toy.c:57
// CHECK-NEXT: domain=5 size=1001 nframe=1 total=1
// CHECK-NEXT:   main toy.c:45
// CHECK-NEXT: domain=5 size=1002 nframe=2 total=2
// CHECK-NEXT:   main toy.c:46
// CHECK-NEXT:   make toy.c:41
// CHECK-NEXT: domain=5 size=1004 nframe=1 total=1
// CHECK-NEXT:   main toy.c:50
// CHECK-NEXT: domain=5 size=1005 nframe=1 total=1
// CHECK-NEXT:   main toy.c:58
// CHECK-NEXT: domain=6 size=1008 nframe=1 total=1
// CHECK-NEXT:   main toy.c:61
// CHECK-NEXT: domain=6 size=1009 nframe=1 total=1
// CHECK-NEXT:   main toy.c:62
// CHECK-NEXT: domain=5 size=1010 nframe=1 total=1
// CHECK-NEXT:   main toy.c:47
// CHECK-NEXT: domain=5 size=1011 nframe=1 total=1
// CHECK-NEXT:   main toy.c:56
// CHECK-NEXT: domain=0 size=1013 nframe=1 total=1
// CHECK-NEXT:   main toy.c:63
// CHECK-NEXT: end

// PLAIN:      domain=0 size=1001 nframe=2 total=2
// PLAIN-NEXT:   main toy.c:45
// PLAIN-NEXT:   my_malloc family-toy-alloc.c:11
// PLAIN:      domain=0 size=1013 nframe=1 total=1
// PLAIN-NEXT:   main toy.c:63
// PLAIN-NEXT: end
