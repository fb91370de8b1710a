// TRACEMALLOC_PEAK=0 with four threads: each allocates 8 blocks of 100000
// bytes (each more than the 64 KiB a thread counts on its own, so every
// count is flushed and the sizes each thread sees are exact), all wait at a
// barrier, then each frees its blocks. The traces at the peak are all 32
// blocks, copied at the first free; after the threads are gone the peak set
// is still there, and the live set is empty.
//
// RUN: %tmcc -O1 -pthread %s -o %t
// RUN: env TRACEMALLOC_PEAK=0 TRACEMALLOC_UNINSTRUMENTED=0 %t | FileCheck %s
// CHECK: peak=3200000 set=3200000 in 32 traces, live=0 in 0 traces
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

enum { THREADS = 4, BLOCKS = 8, SIZE = 100000 };

static pthread_barrier_t all_allocated;

static void *worker(void *arg) {
  void **blocks = arg;
  for (int i = 0; i < BLOCKS; i++)
    blocks[i] = malloc(SIZE);
  pthread_barrier_wait(&all_allocated);
  for (int i = 0; i < BLOCKS; i++)
    free(blocks[i]);
  return NULL;
}

static size_t total(const tracemalloc_snapshot *snapshot) {
  size_t size = 0;
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++)
    size += tracemalloc_snapshot_trace(snapshot, i)->size;
  return size;
}

int main(void) {
  static void *blocks[THREADS][BLOCKS];
  pthread_t threads[THREADS];
  pthread_barrier_init(&all_allocated, NULL, THREADS);
  tracemalloc_start(1);
  for (int i = 0; i < THREADS; i++)
    pthread_create(&threads[i], NULL, worker, blocks[i]);
  for (int i = 0; i < THREADS; i++)
    pthread_join(threads[i], NULL);
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  tracemalloc_snapshot *at_peak = tracemalloc_take_peak_snapshot();
  tracemalloc_snapshot *live = tracemalloc_take_snapshot();
  printf("peak=%zu set=%zu in %zu traces, live=%zu in %zu traces\n", peak,
         total(at_peak), tracemalloc_snapshot_trace_count(at_peak),
         total(live), tracemalloc_snapshot_trace_count(live));
  tracemalloc_snapshot_free(at_peak);
  tracemalloc_snapshot_free(live);
  return 0;
}
