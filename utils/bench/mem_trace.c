/*
 * mem_trace.c - runtime memory per live trace.
 *
 * Keeps N (default 1,000,000) blocks alive, of mixed sizes, allocated from a
 * handful of sites, then reports what the tracer uses for itself
 * (tracemalloc_get_tracemalloc_memory) per live trace. Run it with
 * TRACEMALLOC=1 (and TRACEMALLOC_DUMP=FILE to get a 1M-trace snapshot).
 * Built with -DNO_TRACEMALLOC by plain clang it does the same allocations
 * and reports nothing, for the peak-RSS comparison.
 *
 *   mem_trace [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef NO_TRACEMALLOC
#include <tracemalloc.h>
#endif

#define NOINLINE __attribute__((noinline))

/* Global, so the optimiser cannot drop the array (it is only written). */
void **blocks;

/* Five allocation sites. */
static NOINLINE void *site_a(size_t n) { return malloc(n); }
static NOINLINE void *site_b(size_t n) { return calloc(1, n); }
static NOINLINE void *site_c(size_t n) { return malloc(n); }
static NOINLINE void *site_d(size_t n) { return realloc(NULL, n); }
static NOINLINE void *site_e(size_t n) {
  char *p = malloc(n);
  if (p)
    memset(p, 'e', n);
  return p;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  if (n <= 0) {
    fprintf(stderr, "usage: %s [N]\n", argv[0]);
    return 2;
  }
#ifndef NO_TRACEMALLOC
  size_t before = tracemalloc_get_tracemalloc_memory();
#endif
  blocks = malloc((size_t)n * sizeof *blocks);
  if (!blocks)
    return 1;
  unsigned long long total = 0;
  for (long i = 0; i < n; i++) {
    /* Sizes 8..263 bytes, varying from block to block. */
    size_t size = 8 + (size_t)((i * 2654435761u) >> 7) % 256;
    void *p;
    switch (i % 5) {
    case 0: p = site_a(size); break;
    case 1: p = site_b(size); break;
    case 2: p = site_c(size); break;
    case 3: p = site_d(size); break;
    default: p = site_e(size); break;
    }
    if (!p)
      return 1;
    ((char *)p)[0] = (char)i;
    blocks[i] = p;
    total += size;
  }
#ifndef NO_TRACEMALLOC
  size_t after = tracemalloc_get_tracemalloc_memory();
  size_t current = 0, peak = 0;
  tracemalloc_get_traced_memory(&current, &peak);
  long live = n + 1; /* the blocks, and the array of their pointers */
  if (!tracemalloc_is_tracing()) {
    fprintf(stderr, "mem_trace: not tracing (run with TRACEMALLOC=1)\n");
    return 1;
  }
  printf("live_traces=%ld traced_bytes=%zu tracemalloc_memory=%zu "
         "tracemalloc_memory_before=%zu bytes_per_trace=%.2f "
         "bytes_per_trace_delta=%.2f lost=%llu\n",
         live, current, after, before, (double)after / (double)live,
         (double)(after - before) / (double)live,
         (unsigned long long)tracemalloc_get_lost_traces());
#else
  printf("live_blocks=%ld requested_bytes=%llu\n", n + 1, total);
#endif
  /* The blocks stay alive: a snapshot dumped at exit has all of them. */
  return 0;
}
