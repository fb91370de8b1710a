/*
 * call_heavy.c - benchmark workload 2: many calls, few allocations.
 *
 * Measures what the shadow stack costs on its own. Every function below can
 * reach malloc (rarely: about one call in 100,000 allocates), so the pass
 * must give each of them a shadow-stack frame and store a call site before
 * each call that may allocate; none can be proven allocation-free.
 *
 *  - fibish: doubly recursive, like fib, with a rare allocation at a leaf;
 *  - a loop of small non-inlined calls (step -> mix/maybe_keep);
 *  - calls through a table of function pointers (indirect calls: unknown
 *    callees, so they always count as allocating).
 *
 * Deterministic; prints a checksum.
 *
 *   call_heavy [SCALE]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static uint64_t counter;
static uint64_t checksum;

/* A small list of kept blocks: the few allocations of the workload. */
struct kept {
  struct kept *next;
  uint64_t value;
};
static struct kept *kept_list;
static unsigned int kept_count;

static NOINLINE void keep(uint64_t value) {
  struct kept *k = malloc(sizeof *k + (value & 63));
  if (!k)
    abort();
  k->value = value;
  k->next = kept_list;
  kept_list = k;
  if (++kept_count > 64) {
    /* Drop the list, keep the sum. */
    while (kept_list) {
      struct kept *n = kept_list->next;
      checksum += kept_list->value;
      free(kept_list);
      kept_list = n;
    }
    kept_count = 0;
  }
}

static NOINLINE uint64_t maybe_keep(uint64_t x) {
  if (++counter % 100003 == 0)
    keep(x);
  return x ^ (x >> 17);
}

static NOINLINE uint64_t fibish(unsigned int n, uint64_t x) {
  if (n < 2)
    return maybe_keep(x + n);
  return fibish(n - 1, x * 3 + 1) + fibish(n - 2, x ^ n);
}

static NOINLINE uint64_t mix(uint64_t a, uint64_t b) {
  a ^= b + 0x9e3779b97f4a7c15u + (a << 6) + (a >> 2);
  return a;
}

static NOINLINE uint64_t step(uint64_t x, uint64_t i) {
  return maybe_keep(mix(x, i));
}

typedef uint64_t (*op_fn)(uint64_t);

static NOINLINE uint64_t op_add(uint64_t x) { return maybe_keep(x + 7); }
static NOINLINE uint64_t op_mul(uint64_t x) { return maybe_keep(x * 31); }
static NOINLINE uint64_t op_rot(uint64_t x) {
  return maybe_keep((x << 13) | (x >> 51));
}
static NOINLINE uint64_t op_neg(uint64_t x) { return maybe_keep(~x); }

static op_fn ops[4] = {op_add, op_mul, op_rot, op_neg};

static NOINLINE uint64_t dispatch(uint64_t x, uint64_t i) {
  /* volatile read: the table cannot be folded into direct calls. */
  op_fn f = ((op_fn volatile *)ops)[i & 3];
  return f(x);
}

int main(int argc, char **argv) {
  long scale = argc > 1 ? atol(argv[1]) : 64;
  uint64_t x = 12345;
  for (long round = 0; round < scale; round++) {
    x = fibish(27, x);
    for (uint64_t i = 0; i < 1000000; i++)
      x = step(x, i);
    for (uint64_t i = 0; i < 1000000; i++)
      x = dispatch(x, i);
  }
  while (kept_list) {
    struct kept *n = kept_list->next;
    checksum += kept_list->value;
    free(kept_list);
    kept_list = n;
  }
  printf("call_heavy: scale %ld, %llu leaf calls, checksum %llu\n", scale,
         (unsigned long long)counter, (unsigned long long)(checksum ^ x));
  return 0;
}
