/*
 * alloc_counts.c - allocation counters per traceback: how many blocks each
 * traceback allocated, how many bytes in all, and how many of them were
 * temporary, kept while tracing even after every block is freed (the
 * traceback stays in the depot until a reset, and so do its counters).
 *
 * Temporary is heaptrack's definition: a block freed before the thread that
 * allocated it made any other allocation. Each thread remembers its last
 * allocation (pointer, domain, traceback id, reset epoch) and forgets it at
 * its next one; a free of exactly that block by that thread counts one. A
 * realloc, as heaptrack records it, is the free of the old block (temporary
 * when it was the thread's last allocation) and the allocation of the new
 * one; a failed realloc is neither.
 *
 * Storage: the counters of id i live in the segment that holds i, segment k
 * holding SEGMENT_BASE << k ids, so an id is found with one bit scan and a
 * segment is never moved once mapped (no copy, no reader to wait for). They
 * are changed with a trace-table shard lock held, as ids are interned, and
 * reset and copied with every shard locked: so a copy is exact. Threads
 * holding different shards may count for the same id, hence the relaxed
 * atomic adds.
 */
#include "tracer.h"

#include <stdatomic.h>

#define SEGMENT_BASE_BITS 10u
#define SEGMENT_BASE ((uint64_t)1 << SEGMENT_BASE_BITS)
/* Enough segments for every 32-bit id. */
#define NSEGMENTS (33u - SEGMENT_BASE_BITS)

struct counts_cell {
  _Atomic uint64_t allocations, allocated, temporary;
};

/* STRIPES copies of the counters, summed when copied: each thread counts in
 * one, picked in turn as threads start counting, so that two threads
 * allocating from the same tracebacks do not fight over the cells' cache
 * lines (with one set, two threads of alloc_heavy ran at the throughput of
 * one). */
#define STRIPES 4u
static struct counts_cell *_Atomic segments[STRIPES][NSEGMENTS];
static _Atomic unsigned int next_stripe;
static _Thread_local unsigned int thread_stripe; /* stripe + 1; 0: none yet */

static unsigned int this_thread_stripe(void) {
  if (__builtin_expect(!thread_stripe, 0))
    thread_stripe =
        atomic_fetch_add_explicit(&next_stripe, 1, memory_order_relaxed) %
            STRIPES +
        1;
  return thread_stripe - 1;
}

/* Bumped at every reset, so that a thread's last allocation from before a
 * reset never matches a block recorded after it. */
static uint64_t reset_epoch;

static _Thread_local struct last_allocation {
  uintptr_t ptr;
  uint32_t domain;
  uint32_t traceback_id;
  uint64_t epoch;
} last_allocation;

static uint64_t segment_size(unsigned int k) {
  return (SEGMENT_BASE << k) * sizeof(struct counts_cell);
}

/* Segment k of id and the id's place in it. */
static unsigned int segment_of(uint32_t id, uint64_t *offset) {
  uint64_t biased = (uint64_t)id + SEGMENT_BASE;
  unsigned int k =
      63u - (unsigned int)__builtin_clzll(biased) - SEGMENT_BASE_BITS;
  *offset = biased - (SEGMENT_BASE << k);
  return k;
}

static struct counts_cell *map_segment(unsigned int stripe, unsigned int k) {
  struct counts_cell *fresh = tm_os_map(segment_size(k));
  struct counts_cell *expected = NULL;
  if (!fresh)
    return NULL;
  /* Another shard's thread may have mapped it meanwhile. */
  if (!atomic_compare_exchange_strong_explicit(&segments[stripe][k], &expected,
                                               fresh, memory_order_acq_rel,
                                               memory_order_acquire)) {
    tm_os_unmap(fresh, segment_size(k));
    return expected;
  }
  return fresh;
}

/* The cell of id in this thread's stripe, mapped if need be; NULL when it
 * cannot be. */
static struct counts_cell *cell_of(uint32_t id) {
  uint64_t offset;
  unsigned int k = segment_of(id, &offset);
  unsigned int stripe = this_thread_stripe();
  struct counts_cell *segment =
      atomic_load_explicit(&segments[stripe][k], memory_order_acquire);
  if (__builtin_expect(!segment, 0) && !(segment = map_segment(stripe, k)))
    return NULL;
  return &segment[offset];
}

/* A locked add is the dearest instruction of an allocation's path: a
 * program with one thread adds with a plain load and store. */
static void add(_Atomic uint64_t *counter, uint64_t value) {
  if (tm_single_threaded())
    atomic_store_explicit(
        counter, atomic_load_explicit(counter, memory_order_relaxed) + value,
        memory_order_relaxed);
  else
    atomic_fetch_add_explicit(counter, value, memory_order_relaxed);
}

void tm_count_allocation(unsigned int domain, uintptr_t ptr, size_t size,
                         uint32_t traceback_id) {
  struct counts_cell *cell = cell_of(traceback_id);
  if (cell) {
    add(&cell->allocations, 1);
    add(&cell->allocated, size);
  }
  last_allocation =
      (struct last_allocation){ptr, domain, traceback_id, reset_epoch};
}

void tm_count_free(const tm_trace_entry *freed) {
  struct last_allocation *last = &last_allocation;
  if (freed->ptr != last->ptr || freed->domain != last->domain ||
      freed->traceback_id != last->traceback_id || last->epoch != reset_epoch)
    return;
  last->ptr = 0;
  struct counts_cell *cell = cell_of(freed->traceback_id);
  if (cell)
    add(&cell->temporary, 1);
}

int tm_count_is_last_allocation(unsigned int domain, uintptr_t ptr) {
  return last_allocation.ptr == ptr && last_allocation.domain == domain;
}

void tm_counts_copy_locked(tm_alloc_counts *out, uint32_t count) {
  for (uint32_t id = 0; id < count; id++) {
    uint64_t offset;
    unsigned int k = segment_of(id, &offset);
    out[id] = (tm_alloc_counts){0, 0, 0};
    for (unsigned int stripe = 0; stripe < STRIPES; stripe++) {
      struct counts_cell *segment =
          atomic_load_explicit(&segments[stripe][k], memory_order_acquire);
      if (!segment)
        continue;
      const struct counts_cell *cell = &segment[offset];
      out[id].allocations +=
          atomic_load_explicit(&cell->allocations, memory_order_relaxed);
      out[id].allocated +=
          atomic_load_explicit(&cell->allocated, memory_order_relaxed);
      out[id].temporary +=
          atomic_load_explicit(&cell->temporary, memory_order_relaxed);
    }
  }
}

void tm_counts_reset_locked(void) {
  reset_epoch++;
  for (unsigned int stripe = 0; stripe < STRIPES; stripe++)
    for (unsigned int k = 0; k < NSEGMENTS; k++) {
      struct counts_cell *segment = atomic_exchange_explicit(
          &segments[stripe][k], NULL, memory_order_acq_rel);
      if (segment)
        tm_os_unmap(segment, segment_size(k));
    }
}
