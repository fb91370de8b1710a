// Several threads allocating and freeing at once: every block is traced, in
// its thread's line, and the totals are exact. (glibc's own allocations for
// new threads are left out: entry/uninstrumented-code.c covers those.)
//
// RUN: %tmcc -O2 %s -o %t
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t.tms %t | FileCheck --check-prefix=OUT %s
// RUN: %tracemalloc top %t.tms | FileCheck %s
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

#define THREADS 4
#define BLOCKS 5000

static void *kept[THREADS][BLOCKS];
static pthread_barrier_t allocated;

static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < BLOCKS; i++) {
    kept[id][i] = malloc(16 + (size_t)id);
    void *scratch = malloc(100);
    free(scratch);
  }
  pthread_barrier_wait(&allocated);
  // Free the even blocks: half of them were allocated by another thread.
  long other = (id + 1) % THREADS;
  for (int i = 0; i < BLOCKS; i += 2) {
    long owner = i % 4 == 0 ? id : other;
    free(kept[owner][i]);
    kept[owner][i] = NULL;
  }
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  pthread_barrier_init(&allocated, NULL, THREADS);
  for (long i = 0; i < THREADS; i++)
    pthread_create(&threads[i], NULL, worker, (void *)i);
  for (int i = 0; i < THREADS; i++)
    pthread_join(threads[i], NULL);
  size_t current, peak, expected = 0;
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < BLOCKS; i++)
      if (kept[t][i])
        expected += 16 + (size_t)t;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("traced=%zu expected=%zu\n", current, expected);
  return 0;
}

// Each thread keeps its 2500 odd blocks of 16+id bytes: 2500 * 70 bytes.
// OUT: traced=175000 expected=175000
// CHECK: [ Top 10 ]
// CHECK-NEXT: {{^/.*}}/concurrent.c:22: size=171 KiB, count=10000, average=18 B
// CHECK-NOT: {{.}}
