// Each thread caches the traceback ids of the call stacks it allocated from
// (runtime/tracer/traceback_cache.c). The ids die with the depot: after
// clear_traces, and after stop and a start with another limit, the same call
// stack must get its traceback again, not an id that now names another one.
// Each allocation is made twice, so the second one comes from the cache.
// Uninstrumented allocations (pthread_create's) are not traced: they would
// store in the cache, and so empty it, before the ids are put to the test.
//
// RUN: %tmcc -O1 -pthread %s -o %t
// RUN: env TRACEMALLOC_UNINSTRUMENTED=0 %t | FileCheck %s
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void show(const char *what, void *block) {
  tracemalloc_traceback *tb = tracemalloc_get_object_traceback(block);
  printf("%s:", what);
  for (unsigned int i = 0; tb && i < tb->nframe; i++) {
    const char *base = strrchr(tb->frames[i]->filename, '/');
    printf(" %s:%u", base ? base + 1 : tb->frames[i]->filename,
           tb->frames[i]->lineno);
  }
  printf(" total=%u\n", tb ? tb->total_nframe : 0);
  tracemalloc_traceback_free(tb);
}

__attribute__((noinline)) static void *alloc_a(void) { return malloc(10); }
__attribute__((noinline)) static void *alloc_b(void) { return malloc(20); }

// Allocates from a (or b) twice, from the same call stack, and shows both.
__attribute__((noinline)) static void twice(int b, const char *what) {
  for (int i = 0; i < 2; i++) {
    void *block = b ? alloc_b() : alloc_a();
    show(what, block);
    free(block);
  }
}

static void *b_in_thread(void *arg) {
  twice(1, arg);
  return NULL;
}

int main(void) {
  tracemalloc_start(1);
  // a always from the same call stack, so that it finds its cached id; b
  // first gets the first id of the new depot, the one this thread has cached
  // for a: another thread interns it, so this one's cache still has it.
  const char *changes[] = {"", "clear", "limit 3", "limit 1"};
  for (int i = 0; i < 4; i++) {
    if (i == 1)
      tracemalloc_clear_traces();
    if (i >= 2) {
      tracemalloc_stop();
      tracemalloc_start(i == 2 ? 3 : 1);
    }
    if (i >= 1) {
      char what[32];
      snprintf(what, sizeof what, "b after %s", changes[i]);
      pthread_t thread;
      pthread_create(&thread, NULL, b_in_thread, what);
      pthread_join(thread, NULL);
    }
    char what[32];
    snprintf(what, sizeof what, "a%s%s", i ? " after " : "", changes[i]);
    twice(0, what);
  }
  tracemalloc_stop();
  return 0;
}

// CHECK: a: traceback-cache.c:29 total=3
// CHECK-NEXT: a: traceback-cache.c:29 total=3
// CHECK-NEXT: b after clear: traceback-cache.c:30 total=3
// CHECK-NEXT: b after clear: traceback-cache.c:30 total=3
// CHECK-NEXT: a after clear: traceback-cache.c:29 total=3
// CHECK-NEXT: a after clear: traceback-cache.c:29 total=3
// CHECK-NEXT: b after limit 3: traceback-cache.c:42 traceback-cache.c:35 traceback-cache.c:30 total=3
// CHECK-NEXT: b after limit 3: traceback-cache.c:42 traceback-cache.c:35 traceback-cache.c:30 total=3
// CHECK-NEXT: a after limit 3: traceback-cache.c:68 traceback-cache.c:35 traceback-cache.c:29 total=3
// CHECK-NEXT: a after limit 3: traceback-cache.c:68 traceback-cache.c:35 traceback-cache.c:29 total=3
// CHECK-NEXT: b after limit 1: traceback-cache.c:30 total=3
// CHECK-NEXT: b after limit 1: traceback-cache.c:30 total=3
// CHECK-NEXT: a after limit 1: traceback-cache.c:29 total=3
// CHECK-NEXT: a after limit 1: traceback-cache.c:29 total=3
