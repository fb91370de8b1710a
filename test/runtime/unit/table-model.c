// The trace table against a model: 400,000 random track/untrack calls on
// a small address space (so addresses are reused, replaced and looked up
// absent), in domains that pack into a table slot and domains that need an
// overflow record (above 5), at addresses that pack (16-byte aligned, below
// 2^48) and addresses that do not, with sizes on both sides of 512 MiB and
// 4 GiB. After
// every 1,000 calls the traced size must equal the model's sum; at the end
// the snapshot must hold exactly the model's traces (count and sum per
// domain), and get_object_traceback must find every live block of domain
// 0. The table grows to tens of thousands of traces, past the small-shard
// sizes -- in place, within each table's region, and by moving to a new
// region when it outgrows its own -- and shrinks back by backward-shift
// deletions.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck %s
// CHECK: ok: 400000 operations
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

#define ADDRESSES 30000
static const unsigned int domains[] = {0, 1, 5, 6, 254, 255, 300, 389047};
#define NDOMAINS (sizeof(domains) / sizeof(domains[0]))
static const size_t big_sizes[] = {((size_t)1 << 29) - 1, (size_t)1 << 29,
                                   (size_t)UINT32_MAX, (size_t)1 << 32,
                                   (size_t)1 << 40};

static size_t model[NDOMAINS][ADDRESSES]; // 0: not tracked
static uint64_t rng = 88172645463325252u;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

// Mostly aligned addresses; every 7th is 8 bytes off, every 11th above 2^48.
static uintptr_t address(unsigned int i) {
  uintptr_t a = 0x100000 + (uintptr_t)i * 16;
  if (i % 7 == 3)
    a += 8;
  if (i % 11 == 5)
    a |= (uintptr_t)1 << 52;
  return a;
}

static size_t model_sum(void) {
  size_t sum = 0;
  for (unsigned int d = 0; d < NDOMAINS; d++)
    for (unsigned int i = 0; i < ADDRESSES; i++)
      sum += model[d][i];
  return sum;
}

static void fail(const char *what, long op) {
  printf("FAIL at %ld: %s\n", op, what);
  exit(1);
}

int main(void) {
  tracemalloc_start(1);
  const long ops = 400000;
  size_t sum = 0;
  for (long op = 0; op < ops; op++) {
    uint64_t r = next();
    unsigned int d = (unsigned int)(r % NDOMAINS);
    unsigned int i = (unsigned int)((r >> 8) % ADDRESSES);
    // Grow to ~60% of the address space for the first half, then shrink.
    int track = (r >> 40) % 100 < (op < ops / 2 ? 65 : 35);
    if (track) {
      size_t size = (r >> 50) % 50 == 0 ? big_sizes[(r >> 56) % 5]
                                        : 1 + (size_t)((r >> 32) % 5000);
      if (tracemalloc_track(domains[d], address(i), size) != 0)
        fail("track", op);
      sum += size - model[d][i];
      model[d][i] = size;
    } else {
      if (tracemalloc_untrack(domains[d], address(i)) != 0)
        fail("untrack", op);
      sum -= model[d][i];
      model[d][i] = 0;
    }
    if (op % 1000 == 999) {
      size_t current, peak;
      tracemalloc_get_traced_memory(&current, &peak);
      if (current != sum || sum != model_sum())
        fail("traced size", op);
    }
  }

  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  size_t count[NDOMAINS] = {0}, sizes[NDOMAINS] = {0};
  size_t want_count[NDOMAINS] = {0}, want_sizes[NDOMAINS] = {0};
  for (size_t t = 0; t < tracemalloc_snapshot_trace_count(snapshot); t++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, t);
    unsigned int d = 0;
    while (d < NDOMAINS && domains[d] != trace->domain)
      d++;
    if (d == NDOMAINS)
      fail("unknown domain in the snapshot", ops);
    count[d]++;
    sizes[d] += trace->size;
  }
  for (unsigned int d = 0; d < NDOMAINS; d++)
    for (unsigned int i = 0; i < ADDRESSES; i++)
      if (model[d][i]) {
        want_count[d]++;
        want_sizes[d] += model[d][i];
      }
  if (memcmp(count, want_count, sizeof(count)) ||
      memcmp(sizes, want_sizes, sizeof(sizes)))
    fail("snapshot", ops);
  tracemalloc_snapshot_free(snapshot);

  // get_object_traceback finds every live block of domain 0 at its address.
  for (unsigned int i = 0; i < ADDRESSES; i++) {
    if (!model[0][i])
      continue;
    tracemalloc_traceback *tb =
        tracemalloc_get_object_traceback((const void *)address(i));
    if (!tb)
      fail("get_object_traceback", ops);
    tracemalloc_traceback_free(tb);
  }
  printf("ok: %ld operations\n", ops);
  return 0;
}
