// Limits: recursion a million frames deep (the shadow stack holds 4096;
// deeper frames are counted, saturating total_nframe at 65535), blocks of
// 4 GiB and more recorded exactly, ten thousand domains, and a million
// distinct tracebacks.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 %s -o %t/prog -lpthread
// RUN: env TRACEMALLOC=65535 TRACEMALLOC_UNINSTRUMENTED=0 %t/prog deep | FileCheck --check-prefix=DEEP %s
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/large.tms %t/prog large | FileCheck --check-prefix=LARGE %s
// RUN: %tracemalloc stats %t/large.tms | FileCheck --check-prefix=LARGE-STATS %s
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/domains.tms %t/prog domains | FileCheck --check-prefix=DOMAINS %s
// RUN: %tracemalloc stats %t/domains.tms | FileCheck --check-prefix=DOMAINS-STATS %s
// RUN: %tracemalloc top --domain 9999 %t/domains.tms | FileCheck --check-prefix=DOMAINS-TOP %s
// RUN: env TRACEMALLOC=50 TRACEMALLOC_UNINSTRUMENTED=0 %t/prog tracebacks | FileCheck --check-prefix=PATHS %s
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void *volatile sink;
static volatile int seen;

// ---- deep ----
__attribute__((noinline)) static void leaf(void) { sink = malloc(4242); }

__attribute__((noinline)) static void recurse(long n) {
  if (n == 0) {
    leaf();
    return;
  }
  recurse(n - 1);
  seen = (int)n; // not a tail call
}

static void *deep_thread(void *arg) {
  recurse((long)arg);
  return NULL;
}

static void deep(void) {
  // A million frames of recurse() need more than the default stack.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, (size_t)1 << 30);
  pthread_t thread;
  pthread_create(&thread, &attr, deep_thread, (void *)1000000L);
  pthread_join(thread, NULL);
  tracemalloc_traceback *tb = tracemalloc_get_object_traceback(sink);
  printf("deep: nframe %u, total_nframe %u\n", tb->nframe, tb->total_nframe);
  printf("most recent: %s:%u, oldest: %s\n",
         strrchr(tb->frames[tb->nframe - 1]->filename, '/') + 1,
         tb->frames[tb->nframe - 1]->lineno, tb->frames[0]->function);
  tracemalloc_traceback_free(tb);
  // The stack is healthy again: a shallow allocation has a short traceback.
  leaf();
  tb = tracemalloc_get_object_traceback(sink);
  printf("shallow: nframe %u, total_nframe %u\n", tb->nframe, tb->total_nframe);
  tracemalloc_traceback_free(tb);
}

// ---- large ----
static void large(void) {
  size_t five = (size_t)5 << 30, current;
  tracemalloc_track(7, 0x100000, five);
  tracemalloc_track(8, 0x200000, SIZE_MAX / 2);
  tracemalloc_untrack(8, 0x200000);
  tracemalloc_get_traced_memory(&current, NULL);
  printf("tracked: %zu\n", current);
  // With overcommit, a real 5 GiB block (never touched).
  void *big = sink = malloc(five);
  tracemalloc_get_traced_memory(&current, NULL);
  printf("malloc(5 GiB) traced exactly: %s\n",
         !big || current == 2 * five ? "yes" : "no");
  free(big);
  tracemalloc_get_traced_memory(&current, NULL);
  printf("after free: %zu\n", current);
}

// ---- domains ----
static void domains(void) {
  for (unsigned int d = 0; d < 10000; d++)
    tracemalloc_track(d, 0x10000 + 16 * (uintptr_t)d, d + 1);
  size_t current;
  tracemalloc_get_traced_memory(&current, NULL);
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  size_t n = tracemalloc_snapshot_trace_count(snapshot), ok = 0;
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_trace *t = tracemalloc_snapshot_trace(snapshot, i);
    ok += t->size == (size_t)t->domain + 1;
  }
  printf("domains: %zu traces, %zu right, %zu bytes\n", n, ok, current);
  tracemalloc_snapshot_free(snapshot);
}

// ---- tracebacks: 2^20 distinct call paths ----
#define DEPTH 20
__attribute__((noinline)) static void at_bottom(uintptr_t i) {
  tracemalloc_track(0, 0x100000 + 16 * i, 1);
}

static void left(uintptr_t i, int level);
static void right(uintptr_t i, int level);

// Bit `level` of i picks one of two callees, called from two lines: the
// compiler cannot merge the calls, and each path is its own traceback.
__attribute__((noinline)) static void path(uintptr_t i, int level) {
  if (level == DEPTH) {
    at_bottom(i);
    return;
  }
  if (i >> level & 1)
    left(i, level + 1);
  else
    right(i, level + 1);
  seen = level;
}

__attribute__((noinline)) static void left(uintptr_t i, int level) {
  path(i, level);
  seen = -level;
}

__attribute__((noinline)) static void right(uintptr_t i, int level) {
  path(i, level);
  seen = level;
}

static void tracebacks(void) {
  for (uintptr_t i = 0; i < ((uintptr_t)1 << DEPTH); i++)
    path(i, 0);
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  tracemalloc_statistics *stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_TRACEBACK, 0);
  printf("tracebacks: %zu traces, %zu distinct, %u frames each\n",
         tracemalloc_snapshot_trace_count(snapshot), stats->count,
         stats->items[0].traceback->nframe);
  tracemalloc_statistics_free(stats);
  tracemalloc_snapshot_free(snapshot);
}

int main(int argc, char **argv) {
  (void)argc;
  if (strcmp(argv[1], "deep") == 0)
    deep();
  else if (strcmp(argv[1], "large") == 0)
    large();
  else if (strcmp(argv[1], "domains") == 0)
    domains();
  else
    tracebacks();
  return 0;
}

// The site and the innermost 4096 callers, all recurse(): deep_thread's
// slot of the ring was taken by a deeper frame.
// DEEP: deep: nframe 4097, total_nframe 65535
// DEEP-NEXT: most recent: limits.c:26, oldest: recurse
// DEEP-NEXT: shallow: nframe 3, total_nframe 3

// LARGE: tracked: 5368709120
// LARGE-NEXT: malloc(5 GiB) traced exactly: yes
// LARGE-NEXT: after free: 5368709120
// LARGE-STATS: size: 5120 MiB (5368709120 bytes)
// LARGE-STATS: domain 7: size=5120 MiB (5368709120 bytes), traces=1

// DOMAINS: domains: 10000 traces, 10000 right, 50005000 bytes
// DOMAINS-STATS: traces: 10000
// DOMAINS-STATS: domain 0: size=1 B (1 bytes), traces=1
// DOMAINS-STATS: domain 9999: size=10000 B (10000 bytes), traces=1
// DOMAINS-TOP: [ Top 10 ]
// DOMAINS-TOP-NEXT: {{.*}}/limits.c:{{[0-9]+}}: size=10000 B, count=1, average=10000 B
// DOMAINS-TOP-NOT: {{.}}

// PATHS: tracebacks: 1048576 traces, 1048576 distinct, 44 frames each
