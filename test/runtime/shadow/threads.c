// A thread starts with an empty shadow stack: the traceback of an allocation
// in a thread is its start routine and what it called, never the frames of
// the thread that created it.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=16 %t.O0 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=16 %t.O2 | FileCheck %s
#include <pthread.h>

#include "Inputs/shadow-print.h"

void *volatile sink[4];

__attribute__((noinline)) void helper(void) { sink[1] = malloc(1002); }

static void *start(void *arg) {
  sink[0] = malloc(1001);
  helper();
  return arg;
}

__attribute__((noinline)) void spawn(void) {
  pthread_t thread;
  pthread_create(&thread, NULL, start, NULL);
  pthread_join(thread, NULL);
}

int main(void) {
  spawn();
  shadow_print_traces(1000);
  return 0;
}

// CHECK:      size=1001 nframe=1 total=1
// CHECK-NEXT:   start threads.c:18
// CHECK-NEXT: size=1002 nframe=2 total=2
// CHECK-NEXT:   start threads.c:19
// CHECK-NEXT:   helper threads.c:15
// CHECK-NEXT: end
