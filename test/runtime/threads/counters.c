// Traced memory is counted per thread and summed when read: the size is
// exact while threads still hold counts of their own (below the batch a
// thread moves to the global count), when one thread frees what another
// allocated (its count goes below zero), across a batch flush, and after
// the threads exit; a single thread's peak is exact.
//
// RUN: %tmcc -O1 -pthread %s -o %t
// RUN: env TRACEMALLOC_UNINSTRUMENTED=0 %t | FileCheck %s
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

static void *volatile blocks[16];
static pthread_barrier_t step;

static size_t current(void) {
  size_t now, peak;
  tracemalloc_get_traced_memory(&now, &peak);
  return now;
}

// Each thread acts in its own phase; main measures between phases.
static void *allocator(void *arg) {
  (void)arg;
  for (int i = 0; i < 10; i++)
    blocks[i] = malloc(1000);
  pthread_barrier_wait(&step); // 1: allocated, still running
  pthread_barrier_wait(&step); // 2: main measured
  pthread_barrier_wait(&step); // 3: the other thread freed them
  pthread_barrier_wait(&step); // 4: main measured
  blocks[10] = malloc(100000); // past the batch
  pthread_barrier_wait(&step); // 5
  return NULL;
}

static void *freer(void *arg) {
  (void)arg;
  pthread_barrier_wait(&step); // 1
  pthread_barrier_wait(&step); // 2
  for (int i = 0; i < 10; i++)
    free(blocks[i]);
  pthread_barrier_wait(&step); // 3
  pthread_barrier_wait(&step); // 4
  pthread_barrier_wait(&step); // 5
  return NULL;
}

int main(void) {
  pthread_barrier_init(&step, NULL, 3);
  tracemalloc_start(1);
  size_t base = current();
  pthread_t a, b;
  pthread_create(&a, NULL, allocator, NULL);
  pthread_create(&b, NULL, freer, NULL);
  pthread_barrier_wait(&step); // 1
  size_t allocated = current() - base;
  pthread_barrier_wait(&step); // 2
  pthread_barrier_wait(&step); // 3
  size_t freed = current() - base;
  pthread_barrier_wait(&step); // 4
  pthread_barrier_wait(&step); // 5
  size_t big = current() - base;
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  size_t joined = current() - base;
  free(blocks[10]);
  size_t end = current() - base;
  printf("allocated=%zu freed=%zu big=%zu joined=%zu end=%zu\n", allocated,
         freed, big, joined, end);
  // CHECK: allocated=10000 freed=0 big=100000 joined=100000 end=0

  // One thread: the peak is exact.
  tracemalloc_reset_peak();
  size_t now, peak;
  tracemalloc_get_traced_memory(&now, &peak);
  blocks[0] = malloc(30000);
  blocks[1] = malloc(50000);
  free(blocks[0]);
  blocks[2] = malloc(20000);
  size_t now2, peak2;
  tracemalloc_get_traced_memory(&now2, &peak2);
  printf("current=+%zu peak=+%zu\n", now2 - now, peak2 - now);
  // CHECK-NEXT: current=+70000 peak=+80000
  free(blocks[1]);
  free(blocks[2]);
  return 0;
}
