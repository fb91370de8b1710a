/*
 * live_set.c - the cost of an allocation + free against the number of live
 * blocks.
 *
 * Fills a set of N live blocks (small mixed sizes, 8..263 bytes, from four
 * allocation sites reached through two call levels), then makes PAIRS
 * replacements: each frees a random live block and allocates its successor
 * in the same slot. Only the replacements are timed, in CPU time of the
 * process (CLOCK_PROCESS_CPUTIME_ID), so the fill does not count. The
 * uninstrumented build pays the cache misses of a big live set too (the
 * slot array, malloc's own metadata): the harness subtracts its cost from
 * the traced one, leaving what tracing adds per pair at N live blocks.
 * Deterministic (xorshift, fixed seed); the first line of output is a
 * checksum that every configuration must print alike.
 *
 * Built with -DSIDE_TABLE_FLOOR (by plain clang) it does, besides, the
 * least any tracer that keeps its traces beside the blocks must do: one
 * slot of a table of 1.5 slots per live block (16 bytes each, picked by a
 * multiplicative hash of the address) read and cleared at each free -- its
 * line prefetched before the free, as the runtime does -- and written at
 * each allocation. Its cost over the uninstrumented build is the floor of
 * "added by tracing" at each live-set size on the machine at hand.
 *
 * Built with -DREGISTER_WORK (by plain clang) it runs, after each free and
 * after each allocation, 50 rounds of four independent register-only
 * operations: about 600 instructions a pair (callgrind: 607), touching no
 * memory. What that adds grows with the live set as tracing's does: the
 * program's own misses (the block it reads, malloc's metadata) overlap from
 * one pair to the next only while a pair's instructions fit the processor's
 * reorder window, whatever those instructions are.
 *
 *   live_set N [PAIRS]      (PAIRS: 4,000,000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

/* Global, so the optimiser cannot drop the stores. */
char **slots;

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void) {
  uint64_t x = rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return rng = x;
}

/* Four allocation sites. */
static NOINLINE char *site_malloc(size_t n) { return malloc(n); }
static NOINLINE char *site_calloc(size_t n) { return calloc(1, n); }
static NOINLINE char *site_realloc(size_t n) { return realloc(NULL, n); }
static NOINLINE char *site_filled(size_t n) {
  char *p = malloc(n);
  if (p)
    memset(p, 'f', n);
  return p;
}

static NOINLINE char *pick_site(uint64_t x, size_t n) {
  switch ((x >> 12) & 3) {
  case 0:
    return site_malloc(n);
  case 1:
    return site_calloc(n);
  case 2:
    return site_realloc(n);
  default:
    return site_filled(n);
  }
}

/* Two call paths to every site: eight tracebacks in all. */
static NOINLINE char *new_block_a(uint64_t x, size_t n) {
  return pick_site(x, n);
}
static NOINLINE char *new_block_b(uint64_t x, size_t n) {
  return pick_site(x, n);
}

static char *new_block(uint64_t x) {
  size_t size = 8 + (size_t)((x >> 20) & 255);
  char *p = (x >> 16) & 1 ? new_block_a(x, size) : new_block_b(x, size);
  if (!p)
    abort();
  p[0] = (char)x;
  return p;
}

#ifdef SIDE_TABLE_FLOOR
struct side_slot {
  uint64_t ptr, value;
};
static struct side_slot *side_table;
static uint64_t side_slots;

static struct side_slot *side_slot_of(const char *p) {
  uint64_t h = ((uint64_t)(uintptr_t)p >> 4) * 0x9e3779b97f4a7c15u;
  return &side_table[(h >> 32) * side_slots >> 32];
}

static void side_put(const char *p, uint64_t value) {
  struct side_slot *slot = side_slot_of(p);
  slot->ptr = (uintptr_t)p;
  slot->value = value;
}
#endif

#ifdef REGISTER_WORK
static void register_work(uint64_t x) {
  uint64_t a = x, b = x ^ 1, c = x ^ 2, d = x ^ 3;
  for (int round = 0; round < 50; round++) {
    /* Opaque to the optimiser: the rounds are not folded away. */
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
    a += 3;
    b ^= 5;
    c += 7;
    d ^= 9;
  }
  __asm__ volatile("" : : "r"(a), "r"(b), "r"(c), "r"(d));
}
#endif

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 0;
  long pairs = argc > 2 ? atol(argv[2]) : 4000000;
  if (n <= 0 || pairs < 0) {
    fprintf(stderr, "usage: %s N [PAIRS]\n", argv[0]);
    return 2;
  }
  slots = malloc((size_t)n * sizeof *slots);
  if (!slots)
    return 1;
#ifdef SIDE_TABLE_FLOOR
  side_slots = (uint64_t)n * 3 / 2;
  side_table = calloc(side_slots, sizeof *side_table);
  if (!side_table)
    return 1;
#endif
  for (long i = 0; i < n; i++) {
    slots[i] = new_block(next_random());
#ifdef SIDE_TABLE_FLOOR
    side_put(slots[i], (uint64_t)i);
#endif
  }
  uint64_t checksum = 0;
  double start = cpu_seconds();
  for (long k = 0; k < pairs; k++) {
    uint64_t x = next_random();
    size_t i = (size_t)(x % (uint64_t)n);
    checksum += (unsigned char)slots[i][0];
#ifdef SIDE_TABLE_FLOOR
    struct side_slot *slot = side_slot_of(slots[i]);
    __builtin_prefetch(slot, 1);
    free(slots[i]);
    /* Not in the checksum: the configurations must print alike. */
    side_table[0].value += slot->ptr == (uintptr_t)slots[i];
    slot->ptr = 0;
#else
    free(slots[i]);
#endif
#ifdef REGISTER_WORK
    register_work(x);
#endif
    slots[i] = new_block(x);
#ifdef REGISTER_WORK
    register_work(x >> 3);
#endif
#ifdef SIDE_TABLE_FLOOR
    side_put(slots[i], x);
#endif
  }
  double elapsed = cpu_seconds() - start;
  printf("live_set: %ld live blocks, %ld pairs, checksum %llu\n", n, pairs,
         (unsigned long long)checksum);
  printf("ns_per_pair=%.2f\n", pairs ? elapsed * 1e9 / (double)pairs : 0.0);
  /* The blocks stay alive: the exit does not free a million of them. */
  return 0;
}
