/*
 * trace_table.c - one trace per live block: (domain, pointer) -> (size,
 * traceback id).
 *
 * Sharded by pointer hash with one lock per shard, so threads allocating at
 * the same time rarely meet. Each shard is an open-addressing table with
 * linear probing and backward-shift deletion (no tombstones: the churn of
 * malloc/free would otherwise fill the table with them). Entries are 24
 * bytes; tables stay at most 3/4 full. The memory comes from mmap.
 *
 * The shard locks are small futex locks (Drepper's "Futexes Are Tricky",
 * mutex2): taking and releasing a free one is one atomic instruction each,
 * inline, where pthread_mutex_lock/unlock cost as much as the table work;
 * a thread that finds one held spins briefly, then sleeps in the kernel --
 * a pure spinlock burned the CPU of both threads whenever the holder was
 * preempted (2 threads + a busy process on 2 cores: 20% slower than the
 * mutex).
 */
#include "tm_internal.h"

#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define SHARD_BITS 6
#define SHARD_COUNT (1u << SHARD_BITS)
#define INITIAL_CAPACITY 256u
/* A free slot: no traceback id can be this large (ids are dense). */
#define EMPTY_ID UINT32_MAX

struct tm_shard {
  _Atomic int lock; /* 0 free, 1 held, 2 held and maybe waited for */
  tm_trace_entry *entries;
  size_t capacity; /* a power of two, or 0 before the first insert */
  size_t count;
} __attribute__((aligned(64)));

static struct tm_shard shards[SHARD_COUNT];

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

/* Sleep while *lock is 2 (or return at once if it no longer is). */
static void futex_wait(_Atomic int *lock) {
#ifdef __linux__
  syscall(SYS_futex, (int *)lock, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
#else
  (void)lock;
  sched_yield();
#endif
}

static void futex_wake_one(_Atomic int *lock) {
#ifdef __linux__
  syscall(SYS_futex, (int *)lock, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
#else
  (void)lock;
#endif
}

/* Another thread holds it: spin a little on a plain load (a critical
 * section is short), then mark the lock as waited for and sleep. */
static __attribute__((noinline)) void wait_and_acquire(_Atomic int *lock) {
  for (unsigned int spins = 0; spins < 100; spins++) {
    cpu_relax();
    int expected = 0;
    if (atomic_load_explicit(lock, memory_order_relaxed) == 0 &&
        atomic_compare_exchange_weak_explicit(
            lock, &expected, 1, memory_order_acquire, memory_order_relaxed))
      return;
  }
  /* Holding it as 2 from here: the release that follows will wake
   * someone, possibly needlessly, never too few. */
  while (atomic_exchange_explicit(lock, 2, memory_order_acquire) != 0)
    futex_wait(lock);
}

static void acquire(_Atomic int *lock) {
  int expected = 0;
  if (__builtin_expect(
          !atomic_compare_exchange_strong_explicit(
              lock, &expected, 1, memory_order_acquire, memory_order_relaxed),
          0))
    wait_and_acquire(lock);
}

static void release(_Atomic int *lock) {
  if (__builtin_expect(
          atomic_exchange_explicit(lock, 0, memory_order_release) == 2, 0))
    futex_wake_one(lock);
}

static uint64_t hash_key(unsigned int domain, uintptr_t ptr) {
  /* Blocks are at least 16-byte aligned, so the low bits carry nothing. */
  uint64_t h = ((uint64_t)ptr >> 4) ^ ((uint64_t)domain << 40);
  h *= 0x9e3779b97f4a7c15u;
  return h ^ (h >> 31);
}

/* The top bits pick the shard, the low bits the slot in it. */
static struct tm_shard *shard_of(uint64_t hash) {
  return &shards[hash >> (64 - SHARD_BITS)];
}

tm_shard *tm_table_lock(unsigned int domain, uintptr_t ptr) {
  struct tm_shard *shard = shard_of(hash_key(domain, ptr));
  acquire(&shard->lock);
  return shard;
}

void tm_table_unlock(tm_shard *shard) { release(&shard->lock); }

static int is_empty(const tm_trace_entry *entry) {
  return entry->traceback_id == EMPTY_ID;
}

static size_t slot_of(const struct tm_shard *shard, unsigned int domain,
                      uintptr_t ptr) {
  return hash_key(domain, ptr) & (shard->capacity - 1);
}

/* Index of the entry for (domain, ptr), or of the empty slot that ends its
 * probe sequence. */
static size_t probe(const struct tm_shard *shard, unsigned int domain,
                    uintptr_t ptr) {
  size_t mask = shard->capacity - 1;
  size_t i = slot_of(shard, domain, ptr);
  for (;; i = (i + 1) & mask) {
    const tm_trace_entry *e = &shard->entries[i];
    if (is_empty(e) || (e->ptr == ptr && e->domain == domain))
      return i;
  }
}

static tm_trace_entry *map_entries(size_t capacity) {
  tm_trace_entry *entries = tm_os_map(capacity * sizeof(tm_trace_entry));
  if (!entries)
    return NULL;
  for (size_t i = 0; i < capacity; i++)
    entries[i].traceback_id = EMPTY_ID;
  return entries;
}

static int grow(struct tm_shard *shard) {
  size_t capacity = shard->capacity ? shard->capacity * 2 : INITIAL_CAPACITY;
  tm_trace_entry *entries = map_entries(capacity);
  if (!entries)
    return -1;
  tm_trace_entry *old = shard->entries;
  size_t old_capacity = shard->capacity;
  shard->entries = entries;
  shard->capacity = capacity;
  for (size_t i = 0; i < old_capacity; i++)
    if (!is_empty(&old[i]))
      entries[probe(shard, old[i].domain, old[i].ptr)] = old[i];
  tm_os_unmap(old, old_capacity * sizeof(tm_trace_entry));
  return 0;
}

int tm_table_put(tm_shard *shard, const tm_trace_entry *entry,
                 size_t *old_size) {
  if ((shard->count + 1) * 4 > shard->capacity * 3 && grow(shard) < 0)
    return -1;
  tm_trace_entry *slot =
      &shard->entries[probe(shard, entry->domain, entry->ptr)];
  if (is_empty(slot)) {
    shard->count++;
    *old_size = SIZE_MAX;
  } else {
    *old_size = slot->size;
  }
  *slot = *entry;
  return 0;
}

const tm_trace_entry *tm_table_find(tm_shard *shard, unsigned int domain,
                                    uintptr_t ptr) {
  if (shard->count == 0)
    return NULL;
  const tm_trace_entry *e = &shard->entries[probe(shard, domain, ptr)];
  return is_empty(e) ? NULL : e;
}

/* Backward-shift deletion: pull later entries of the probe run into the hole
 * when their home slot allows it, so lookups never need tombstones. */
static void remove_at(struct tm_shard *shard, size_t hole) {
  size_t mask = shard->capacity - 1;
  for (size_t i = (hole + 1) & mask;; i = (i + 1) & mask) {
    tm_trace_entry *e = &shard->entries[i];
    if (is_empty(e))
      break;
    size_t home = slot_of(shard, e->domain, e->ptr);
    /* e may move to the hole if its home is not in (hole, i]. */
    if (((i - home) & mask) >= ((i - hole) & mask)) {
      shard->entries[hole] = *e;
      hole = i;
    }
  }
  shard->entries[hole].traceback_id = EMPTY_ID;
  shard->count--;
}

int tm_table_take(tm_shard *shard, unsigned int domain, uintptr_t ptr,
                  tm_trace_entry *out) {
  if (shard->count == 0)
    return 0;
  size_t i = probe(shard, domain, ptr);
  if (is_empty(&shard->entries[i]))
    return 0;
  *out = shard->entries[i];
  remove_at(shard, i);
  return 1;
}

void tm_table_lock_all(void) {
  for (unsigned int i = 0; i < SHARD_COUNT; i++)
    acquire(&shards[i].lock);
}

void tm_table_unlock_all(void) {
  for (unsigned int i = SHARD_COUNT; i-- > 0;)
    release(&shards[i].lock);
}

void tm_table_clear_locked(void) {
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    struct tm_shard *shard = &shards[i];
    tm_os_unmap(shard->entries, shard->capacity * sizeof(tm_trace_entry));
    shard->entries = NULL;
    shard->capacity = 0;
    shard->count = 0;
  }
}

size_t tm_table_count_locked(void) {
  size_t count = 0;
  for (unsigned int i = 0; i < SHARD_COUNT; i++)
    count += shards[i].count;
  return count;
}

void tm_table_foreach_locked(void (*visit)(const tm_trace_entry *, void *),
                             void *arg) {
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    const struct tm_shard *shard = &shards[i];
    for (size_t j = 0; j < shard->capacity; j++)
      if (!is_empty(&shard->entries[j]))
        visit(&shard->entries[j], arg);
  }
}

const tm_trace_entry *tm_table_find_containing_locked(uintptr_t addr) {
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    const struct tm_shard *shard = &shards[i];
    for (size_t j = 0; j < shard->capacity; j++) {
      const tm_trace_entry *e = &shard->entries[j];
      if (!is_empty(e) && e->ptr <= addr && addr - e->ptr < e->size)
        return e;
    }
  }
  return NULL;
}

void tm_table_reinit_locks(void) {
  for (unsigned int i = 0; i < SHARD_COUNT; i++)
    atomic_store_explicit(&shards[i].lock, 0, memory_order_relaxed);
}
