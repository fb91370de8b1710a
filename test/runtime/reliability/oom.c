// The runtime out of memory: under a small RLIMIT_AS the tracer's own
// tables (mmap) cannot grow, while the program's blocks still fit in the
// heap it has already grown. The program gives the same output as without
// tracing and as the plain clang build; the traces that could not be stored
// are counted (tracemalloc_get_lost_traces, the snapshot's lost_traces,
// `tracemalloc stats`, and a warning from `tracemalloc top`), and the trace
// table stays exact for the rest.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O1 %s -o %t/plain
// RUN: %tmcc -O1 %s -o %t/traced
// RUN: %t/plain > %t/plain.out
// RUN: %t/traced > %t/untraced.out
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/oom.tms %t/traced > %t/traced.out 2> %t/traced.err
// RUN: diff %t/plain.out %t/traced.out
// RUN: diff %t/plain.out %t/untraced.out
// RUN: FileCheck --check-prefix=OUT --input-file=%t/plain.out %s
// RUN: FileCheck --check-prefix=TRACER --input-file=%t/traced.err %s
// RUN: %tracemalloc stats %t/oom.tms | FileCheck --check-prefix=STATS %s
// RUN: %tracemalloc top %t/oom.tms 2>&1 >/dev/null | FileCheck --check-prefix=WARN %s
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

// The API, when the runtime is linked (weak: the plain build has none).
typedef struct tracemalloc_snapshot tracemalloc_snapshot;
extern int tracemalloc_start(unsigned int) __attribute__((weak));
extern void tracemalloc_stop(void) __attribute__((weak));
extern int tracemalloc_is_tracing(void) __attribute__((weak));
extern uint64_t tracemalloc_get_lost_traces(void) __attribute__((weak));
extern void tracemalloc_get_traced_memory(size_t *, size_t *)
    __attribute__((weak));
extern tracemalloc_snapshot *tracemalloc_take_snapshot(void)
    __attribute__((weak));
extern size_t tracemalloc_snapshot_trace_count(const tracemalloc_snapshot *)
    __attribute__((weak));
extern void tracemalloc_snapshot_free(tracemalloc_snapshot *)
    __attribute__((weak));

#define N 300000
static unsigned char *blocks[N];

static size_t address_space(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (!f || fscanf(f, "%lu", &pages) != 1)
    abort();
  fclose(f);
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static size_t traces_now(void) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  size_t n = tracemalloc_snapshot_trace_count(snapshot);
  tracemalloc_snapshot_free(snapshot);
  return n;
}

int main(void) {
  int tracing = tracemalloc_is_tracing && tracemalloc_is_tracing();
  // Every block from the brk heap, which is never given back: after the
  // warm-up, the heap holds the program's blocks without growing.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 0);
  for (int i = 0; i < N; i++)
    blocks[i] = malloc(64);
  for (int i = 0; i < N; i++)
    free(blocks[i]);

  // Tracing starts afresh, with tables of their initial size, under a limit
  // that leaves the tracer 4 MiB.
  if (tracing)
    tracemalloc_stop();
  struct rlimit saved, low;
  getrlimit(RLIMIT_AS, &saved);
  low = saved;
  low.rlim_cur = address_space() + (4 << 20);
  if (setrlimit(RLIMIT_AS, &low) != 0)
    perror("setrlimit");
  if (tracing)
    tracemalloc_start(1);

  errno = 0;
  unsigned long sum = 0, failed = 0;
  for (int i = 0; i < N; i++) {
    blocks[i] = malloc(64);
    if (!blocks[i]) {
      failed++;
      continue;
    }
    memset(blocks[i], i & 0xff, 64);
    sum += blocks[i][i % 64];
  }
  int errno_after = errno;
  size_t current = 0;
  uint64_t lost = 0;
  if (tracing) {
    tracemalloc_get_traced_memory(&current, NULL);
    lost = tracemalloc_get_lost_traces();
  }
  setrlimit(RLIMIT_AS, &saved);
  if (tracing) {
    size_t traces = traces_now();
    fprintf(stderr, "lost: %s\n", lost > 0 ? "some" : "none");
    fprintf(stderr, "traces + lost = %llu, traced memory = 64 * traces: %s\n",
            (unsigned long long)(traces + lost),
            current == 64 * traces ? "yes" : "no");
  }
  for (int i = 0; i < N; i++)
    free(blocks[i]);
  if (tracing) {
    size_t now;
    tracemalloc_get_traced_memory(&now, NULL);
    fprintf(stderr, "after freeing: %zu bytes, %zu traces\n", now,
            traces_now());
  }
  // Kept for the dump at exit: traced, the limit is gone.
  for (int i = 0; i < 10; i++)
    blocks[i] = malloc(1000);
  printf("allocated %d, failed %lu, sum %lu, errno %d\n", N, failed, sum,
         errno_after);
  return 0;
}

// OUT: allocated 300000, failed 0, sum 38246416, errno 0
// TRACER: lost: some
// TRACER-NEXT: traces + lost = 300000, traced memory = 64 * traces: yes
// TRACER-NEXT: after freeing: 0 bytes, 0 traces
// STATS: lost_traces: {{[1-9][0-9]*}}
// STATS: traces: 10
// WARN: tracemalloc: warning: {{[1-9][0-9]*}} allocations could not be traced (lost_traces): the sizes are lower than the truth
