// Stress: 8 threads allocate, reallocate and free -- freeing blocks other
// threads allocated, through a shared exchange -- while a control thread
// takes snapshots and calls reset_peak, clear_traces, stop and start. No
// deadlock; at the end the live traces and the traced memory are exactly
// the blocks the program still holds that were allocated (or reallocated)
// since the last start. Built twice: with ThreadSanitizer (the core runtime
// compiled with -fsanitize=thread, test/fuzz/CMakeLists.txt), which must
// report nothing, and as usual with tmcc. TSan's deadlock detector is off:
// it cannot follow more than 64 locks held at once, and clear_traces and
// snapshots hold all 64 shard locks and more. `timeout` turns a deadlock
// into a failure.
//
// REQUIRES: tsan
// RUN: %clang -fsanitize=thread -g -O1 -fpass-plugin=%plugin -I%include %s %fuzzdir/libtm_tsan.a -lpthread -o %t.tsan
// RUN: env TSAN_OPTIONS=halt_on_error=1:exitcode=66:detect_deadlocks=0 timeout 120 %t.tsan 200000 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t
// RUN: env TRACEMALLOC_UNINSTRUMENTED=0 timeout 120 %t 2000000 | FileCheck %s
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

#define WORKERS 8
#define SLOTS 64
#define EXCHANGE 256

typedef struct block {
  void *ptr;
  size_t size;
  int fresh; // allocated or reallocated since the final start
} block;

static long iterations;
static pthread_barrier_t phase;  // workers + control
static _Atomic int workers_done; // with the chaos phase
static _Atomic int final_started;

static pthread_mutex_t exchange_lock = PTHREAD_MUTEX_INITIALIZER;
static block exchange[EXCHANGE];
static block held[WORKERS][SLOTS];

static uint64_t next_random(uint64_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

static int fresh_now(void) { return final_started; }

// Swap a block with a random slot of the exchange: another thread frees or
// reallocates what this one allocated.
static void trade(block *mine, uint64_t *rng) {
  size_t i = next_random(rng) % EXCHANGE;
  pthread_mutex_lock(&exchange_lock);
  block theirs = exchange[i];
  exchange[i] = *mine;
  pthread_mutex_unlock(&exchange_lock);
  *mine = theirs;
}

static void one_step(long id, uint64_t *rng) {
  block *b = &held[id][next_random(rng) % SLOTS];
  size_t size = 1 + next_random(rng) % 512;
  switch (next_random(rng) % 6) {
  case 0:
  case 1:
    free(b->ptr);
    b->ptr = malloc(size);
    b->size = size;
    b->fresh = fresh_now();
    break;
  case 2: {
    int fresh = fresh_now();
    void *moved = realloc(b->ptr, size);
    if (moved) {
      b->ptr = moved;
      b->size = size;
      b->fresh = fresh;
    }
    break;
  }
  case 3:
    free(b->ptr);
    b->ptr = NULL;
    b->size = 0;
    break;
  case 4: {
    int fresh = fresh_now();
    free(b->ptr);
    b->ptr = calloc(1, size);
    b->size = size;
    b->fresh = fresh;
    break;
  }
  default:
    trade(b, rng);
    break;
  }
}

static void *worker(void *arg) {
  long id = (long)arg;
  uint64_t rng = 0x9e3779b97f4a7c15u * (uint64_t)(id + 1);
  for (long i = 0; i < iterations; i++)
    one_step(id, &rng);
  workers_done++;
  pthread_barrier_wait(&phase); // the control thread restarts tracing
  pthread_barrier_wait(&phase);
  for (long j = 0; j < iterations; j++)
    one_step(id, &rng);
  return NULL;
}

static void *control(void *arg) {
  (void)arg;
  long rounds = 0;
  for (int round = 0; round < 60 || workers_done < WORKERS; round++) {
    rounds++;
    tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
    tracemalloc_snapshot_free(snapshot);
    tracemalloc_reset_peak();
    if (round % 3 == 0)
      tracemalloc_clear_traces();
    if (round % 5 == 0) {
      tracemalloc_stop();
      tracemalloc_start(1 + round % 7);
    }
    size_t current, peak;
    tracemalloc_get_traced_memory(&current, &peak);
    if (peak < current)
      printf("peak %zu < current %zu\n", peak, current);
  }
  fprintf(stderr, "%ld control rounds\n", rounds);
  pthread_barrier_wait(&phase);
  // Every worker waits at the barrier: from here on, every block allocated
  // is traced.
  tracemalloc_stop();
  tracemalloc_start(3);
  final_started = 1;
  pthread_barrier_wait(&phase);
  for (int round = 0; round < 20; round++) {
    tracemalloc_snapshot_free(tracemalloc_take_snapshot());
    tracemalloc_reset_peak();
  }
  return NULL;
}

int main(int argc, char **argv) {
  iterations = argc > 1 ? atol(argv[1]) : 10000;
  tracemalloc_start(5);
  pthread_barrier_init(&phase, NULL, WORKERS + 1);
  pthread_t threads[WORKERS + 1];
  for (long i = 0; i < WORKERS; i++)
    pthread_create(&threads[i], NULL, worker, (void *)i);
  pthread_create(&threads[WORKERS], NULL, control, NULL);
  for (int i = 0; i <= WORKERS; i++)
    pthread_join(threads[i], NULL);

  size_t expected = 0, blocks = 0;
  for (int t = 0; t < WORKERS; t++)
    for (int i = 0; i < SLOTS; i++)
      if (held[t][i].ptr && held[t][i].fresh)
        expected += held[t][i].size, blocks++;
  for (int i = 0; i < EXCHANGE; i++)
    if (exchange[i].ptr && exchange[i].fresh)
      expected += exchange[i].size, blocks++;

  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  size_t ntraces = tracemalloc_snapshot_trace_count(snapshot);
  size_t sum = 0;
  for (size_t i = 0; i < ntraces; i++)
    sum += tracemalloc_snapshot_trace(snapshot, i)->size;
  printf("held: %zu blocks, %zu bytes\n", blocks, expected);
  printf("traced: %zu blocks, %zu bytes, current %zu\n", ntraces, sum, current);
  printf("%s\n", ntraces == blocks && sum == expected && current == expected &&
                         peak >= current && tracemalloc_get_lost_traces() == 0
                     ? "exact"
                     : "MISMATCH");
  tracemalloc_snapshot_free(snapshot);
  return 0;
}

// CHECK-NOT: peak
// CHECK: held: [[N:[0-9]+]] blocks, [[B:[0-9]+]] bytes
// CHECK-NEXT: traced: [[N]] blocks, [[B]] bytes, current [[B]]
// CHECK-NEXT: exact
// CHECK-NOT: WARNING: ThreadSanitizer
