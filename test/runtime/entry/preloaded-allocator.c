// With another malloc preloaded, the instrumented program's calls reach it
// (the entry points call whatever malloc family the program has, not glibc's
// behind its back), and they are traced as usual, once each.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O1 -shared -fPIC -DALLOCATOR %s -o %t/liballoc.so
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 LD_PRELOAD=%t/liballoc.so %t/prog | FileCheck %s
// The sanitizer's runtime must be the preloaded allocator there.
// UNSUPPORTED: sanitized
#ifdef ALLOCATOR
#include <stddef.h>

// glibc's allocator under its own names, counting the calls.
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

unsigned long allocator_calls[4];

void *malloc(size_t size) {
  allocator_calls[0]++;
  return __libc_malloc(size);
}
void *calloc(size_t nmemb, size_t size) {
  allocator_calls[1]++;
  return __libc_calloc(nmemb, size);
}
void *realloc(void *ptr, size_t size) {
  allocator_calls[2]++;
  return __libc_realloc(ptr, size);
}
void free(void *ptr) {
  allocator_calls[3]++;
  __libc_free(ptr);
}
#else
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

void *volatile blocks[100];

int main(void) {
  unsigned long *calls = dlsym(RTLD_DEFAULT, "allocator_calls");
  if (!calls)
    return 1;
  unsigned long before[4];
  for (int i = 0; i < 4; i++)
    before[i] = calls[i];
  for (int i = 0; i < 100; i++)
    blocks[i] = malloc(100);
  for (int i = 0; i < 10; i++)
    blocks[i] = realloc(blocks[i], 1000);
  for (int i = 10; i < 20; i++) {
    free(blocks[i]);
    blocks[i] = calloc(2, 10);
  }
  for (int i = 20; i < 50; i++)
    free(blocks[i]);
  unsigned long after[4];
  for (int i = 0; i < 4; i++)
    after[i] = calls[i];
  printf("malloc %lu calloc %lu realloc %lu free %lu\n", after[0] - before[0],
         after[1] - before[1], after[2] - before[2], after[3] - before[3]);
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("traced=%zu\n", current);
  // The runtime's own memory (a traceback copy's: one malloc, one free)
  // comes from that allocator too: the runtime's calls to malloc must stay
  // calls to whatever the process has, not be bound to its own interposed
  // one (as link-time optimisation would, without -fsemantic-interposition).
  for (int i = 0; i < 4; i++)
    before[i] = calls[i];
  tracemalloc_traceback_free(tracemalloc_get_object_traceback(blocks[0]));
  printf("traceback copy: malloc %lu free %lu\n", calls[0] - before[0],
         calls[3] - before[3]);
  return 0;
}
#endif

// CHECK: malloc 100 calloc 10 realloc 10 free 40
// 50 blocks of 100 bytes, 10 of 1000 bytes, 10 of 20 bytes.
// CHECK-NEXT: traced=15200
// CHECK-NEXT: traceback copy: malloc 1 free 1
