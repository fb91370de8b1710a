/*
 * alloc_heavy.c - benchmark workload 1: allocation-heavy C.
 *
 * Each thread owns a ring of RING live blocks and churns it: every step walks
 * a call chain of depth 8 (noinline functions, two variants per level chosen
 * by the step's random bits, so there are many distinct tracebacks) and, at
 * the bottom, replaces one ring slot with a new block from malloc, calloc,
 * realloc or strdup of a mixed size, freeing what was there. Deterministic:
 * a fixed xorshift seed per thread; prints a checksum so nothing is optimised
 * away.
 *
 *   alloc_heavy [STEPS_PER_THREAD] [THREADS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 16384u
#define NOINLINE __attribute__((noinline))

struct ring {
  char *slot[RING];
  uint32_t size[RING];
  uint64_t rng;
  uint64_t checksum;
};

static const char text[] =
    "the quick brown fox jumps over the lazy dog; pack my box with five "
    "dozen liquor jugs; sphinx of black quartz, judge my vow; how vexingly "
    "quick daft zebras jump; the five boxing wizards jump quickly; waltz, "
    "bad nymph, for quick jigs vex; glib jocks quiz nymph to vex dwarf.";

static uint64_t next(struct ring *r) {
  uint64_t x = r->rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return r->rng = x;
}

/* Mostly small blocks, some medium ones, a few large. */
static uint32_t pick_size(uint64_t x) {
  unsigned int k = (x >> 20) & 63;
  if (k < 48)
    return 8 + (uint32_t)((x >> 30) & 127);   /* 8..135 */
  if (k < 62)
    return 136 + (uint32_t)((x >> 30) & 2047); /* 136..2183 */
  return 4096 + (uint32_t)((x >> 30) & 16383); /* 4 KiB..20 KiB */
}

static NOINLINE void churn(struct ring *r, uint64_t x) {
  unsigned int i = (unsigned int)(x % RING);
  uint32_t size = pick_size(x);
  char *p;
  switch ((x >> 8) & 7) {
  case 0:
  case 1:
  case 2:
    free(r->slot[i]);
    p = malloc(size);
    if (!p)
      abort();
    p[0] = (char)x;
    p[size - 1] = (char)(x >> 8);
    break;
  case 3:
  case 4:
    free(r->slot[i]);
    p = calloc(1, size);
    if (!p)
      abort();
    p[size / 2] = (char)x;
    p[size - 1] = (char)(x >> 16);
    break;
  case 5:
  case 6:
    p = realloc(r->slot[i], size);
    if (!p)
      abort();
    p[size - 1] = (char)x;
    break;
  default: {
    /* A string of 1..255 characters from the text, copied with strdup. */
    char buf[256];
    size = 1 + (uint32_t)((x >> 30) & 254);
    for (uint32_t j = 0; j < size; j++)
      buf[j] = text[(j + (x >> 40)) % (sizeof text - 1)];
    buf[size] = '\0';
    free(r->slot[i]);
    p = strdup(buf);
    if (!p)
      abort();
    size++;
    break;
  }
  }
  r->slot[i] = p;
  r->size[i] = size;
  r->checksum += (unsigned char)p[size - 1] + size;
}

/* The call chain: level N calls one of two level N+1 functions. */
#define LEVEL(n, next_a, next_b)                                               \
  static NOINLINE void level##n##a(struct ring *r, uint64_t x);                \
  static NOINLINE void level##n##b(struct ring *r, uint64_t x);                \
  static NOINLINE void level##n##a(struct ring *r, uint64_t x) {               \
    if ((x >> (n + 44)) & 1)                                                   \
      next_a(r, x);                                                            \
    else                                                                       \
      next_b(r, x);                                                            \
    r->checksum ^= n;                                                          \
  }                                                                            \
  static NOINLINE void level##n##b(struct ring *r, uint64_t x) {               \
    if ((x >> (n + 44)) & 1)                                                   \
      next_b(r, x);                                                            \
    else                                                                       \
      next_a(r, x);                                                            \
    r->checksum += n;                                                          \
  }

LEVEL(7, churn, churn)
LEVEL(6, level7a, level7b)
LEVEL(5, level6a, level6b)
LEVEL(4, level5a, level5b)
LEVEL(3, level4a, level4b)
LEVEL(2, level3a, level3b)
LEVEL(1, level2a, level2b)

static long steps_per_thread = 4000000;

static void *run(void *arg) {
  struct ring *r = arg;
  for (long s = 0; s < steps_per_thread; s++) {
    uint64_t x = next(r);
    if (x & 1)
      level1a(r, x);
    else
      level1b(r, x);
  }
  for (unsigned int i = 0; i < RING; i++) {
    free(r->slot[i]);
    r->slot[i] = NULL;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1)
    steps_per_thread = atol(argv[1]);
  int nthreads = argc > 2 ? atoi(argv[2]) : 1;
  if (nthreads < 1 || nthreads > 64 || steps_per_thread < 0) {
    fprintf(stderr, "usage: %s [STEPS_PER_THREAD] [THREADS]\n", argv[0]);
    return 2;
  }
  static struct ring rings[64];
  pthread_t threads[64];
  for (int t = 0; t < nthreads; t++)
    rings[t].rng = 0x9e3779b97f4a7c15u * (uint64_t)(t + 1);
  if (nthreads == 1) {
    run(&rings[0]);
  } else {
    for (int t = 0; t < nthreads; t++)
      if (pthread_create(&threads[t], NULL, run, &rings[t]) != 0)
        abort();
    for (int t = 0; t < nthreads; t++)
      pthread_join(threads[t], NULL);
  }
  uint64_t checksum = 0;
  for (int t = 0; t < nthreads; t++)
    checksum = checksum * 31 + rings[t].checksum;
  printf("alloc_heavy: %ld steps x %d threads, checksum %llu\n",
         steps_per_thread, nthreads, (unsigned long long)checksum);
  return 0;
}
