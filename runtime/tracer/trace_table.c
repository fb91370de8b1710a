/*
 * trace_table.c - one trace per live block: (domain, pointer) -> (size,
 * traceback id).
 *
 * Sharded by pointer hash with one lock per shard, so threads allocating at
 * the same time rarely meet. Each shard is an open-addressing table with
 * linear probing and backward-shift deletion (no tombstones: the churn of
 * malloc/free would otherwise fill the table with them). The memory comes
 * from mmap.
 *
 * Memory per trace is what a tracer that is left on must keep small, so a
 * slot is 16 bytes: the address, and the size, traceback id and domain
 * packed in one word (32, 24 and 8 bits). A trace that does not fit -- a
 * block of 4 GiB or more, a domain above 253 -- is kept whole in the
 * shard's overflow records, its slot pointing there. A free slot's packed
 * word is 0 (the domain is stored plus one), so a table fresh from mmap,
 * whose pages the kernel gives zeroed, needs no filling. Large tables grow by a
 * quarter when 3/4 full, and slots are found by multiply-shift range reduction
 * rather than a mask (a capacity need not be a power of two): 22-28 bytes of
 * table per trace, where 24-byte entries in power-of-two tables took 32-64 (50
 * at a million live blocks; mem_trace.c in utils/bench measures it).
 *
 * So this is not the runtime's hash table (hash_table.h), which serves the
 * tables that are built, read and freed whole: this one is on every malloc
 * and free, must delete, must be sharded under locks, and must keep its
 * memory per trace small for as long as the program runs -- 16-byte packed
 * slots, capacities that are not powers of two, backward-shift deletion.
 *
 * The shard locks are small futex locks (Drepper's "Futexes Are Tricky",
 * mutex2): taking and releasing a free one is one atomic instruction each,
 * inline, where pthread_mutex_lock/unlock cost as much as the table work;
 * a thread that finds one held spins briefly, then sleeps in the kernel --
 * a pure spinlock burned the CPU of both threads whenever the holder was
 * preempted (2 threads + a busy process on 2 cores: 20% slower than the
 * mutex). A process with one thread takes them with plain loads and stores
 * instead (see acquire): a lock and an unlock cost two atomic instructions
 * per malloc and per free, 13% of the CPU time of a malloc/free loop.
 */
#include "tracer.h"

#include "hash.h"

#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
#include <sys/single_threaded.h>
#define TM_HAVE_SINGLE_THREADED 1
#endif
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define SHARD_BITS 6
#define SHARD_COUNT (1u << SHARD_BITS)
#define INITIAL_CAPACITY 256u
#define SMALL_CAPACITY 4096u
/* Capacities are 32-bit: the range reduction multiplies by them. */
#define MAX_CAPACITY (UINT32_MAX / 2)

/* A slot's packed word: size in bits 0-31, traceback id in 32-55, the
 * domain plus one in 56-63. All ones in bits 56-63 marks an escaped trace,
 * whose overflow record index is in bits 0-31; 0 everywhere, a free slot
 * (a trace's top byte is never 0). */
#define EMPTY UINT64_C(0)
#define ESCAPE_BYTE 0xffu
#define ESCAPE_TAG ((uint64_t)ESCAPE_BYTE << 56)
#define MAX_PACKED_SIZE UINT32_MAX
#define MAX_PACKED_ID 0xffffffu
#define MAX_PACKED_DOMAIN (ESCAPE_BYTE - 2)
/* No overflow record to be had. */
#define NO_RECORD UINT32_MAX

struct slot {
  uintptr_t ptr;
  uint64_t packed;
};

/* A trace that does not pack. Free records are chained through size (the
 * next one's index + 1, 0 at the end). */
struct overflow_record {
  size_t size;
  uint32_t domain;
  uint32_t traceback_id;
};

struct tm_shard {
  _Atomic int lock;  /* 0 free, 1 held, 2 held and maybe waited for */
  uint32_t capacity; /* home slots; 0 before the first insert */
  uint32_t nslot;    /* slots, past the homes included */
  uint32_t count;
  uint32_t grow_at; /* more traces than this and the table grows */
  struct slot *slots;
  struct overflow_record *records;
  uint32_t records_capacity;
  uint32_t records_used; /* records ever handed out, free ones included */
  uint32_t records_free; /* the first free record's index + 1, or 0 */
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

/* True while the process has one thread (glibc 2.32+ keeps the flag: it
 * turns false in pthread_create before the new thread exists, and true in
 * the child of a fork). Then nobody can take a lock between our load and
 * store, and no thread can appear while we hold one: only we could create
 * it. */
static int single_threaded(void) {
#ifdef TM_HAVE_SINGLE_THREADED
  return __libc_single_threaded;
#else
  return 0;
#endif
}

static void acquire(_Atomic int *lock) {
  /* A lock found held with one thread -- a signal handler that interrupted
   * its holder -- takes the ordinary path and waits, as before. */
  if (single_threaded() &&
      atomic_load_explicit(lock, memory_order_relaxed) == 0) {
    atomic_store_explicit(lock, 1, memory_order_relaxed);
    return;
  }
  int expected = 0;
  if (__builtin_expect(
          !atomic_compare_exchange_strong_explicit(
              lock, &expected, 1, memory_order_acquire, memory_order_relaxed),
          0))
    wait_and_acquire(lock);
}

static void release(_Atomic int *lock) {
  if (single_threaded()) {
    /* Never 2 (a waiter is a second thread); checked all the same. */
    int state = atomic_load_explicit(lock, memory_order_relaxed);
    atomic_store_explicit(lock, 0, memory_order_relaxed);
    if (__builtin_expect(state == 2, 0))
      futex_wake_one(lock);
    return;
  }
  if (__builtin_expect(
          atomic_exchange_explicit(lock, 0, memory_order_release) == 2, 0))
    futex_wake_one(lock);
}

static uint64_t hash_key(unsigned int domain, uintptr_t ptr) {
  /* Blocks are at least 16-byte aligned, so the low bits carry nothing. */
  return tm_hash_integer(((uint64_t)ptr >> 4) ^ ((uint64_t)domain << 40));
}

/* The top bits pick the shard, the low 32 bits the slot in it. */
static struct tm_shard *shard_of(uint64_t hash) {
  return &shards[hash >> (64 - SHARD_BITS)];
}

tm_shard *tm_table_lock(unsigned int domain, uintptr_t ptr) {
  struct tm_shard *shard = shard_of(hash_key(domain, ptr));
  acquire(&shard->lock);
  return shard;
}

void tm_table_unlock(tm_shard *shard) { release(&shard->lock); }

/* ---- Packing ---- */

static int is_escaped(uint64_t packed) { return (packed >> 56) == ESCAPE_BYTE; }

static struct overflow_record *record_of(const struct tm_shard *shard,
                                         uint64_t packed) {
  return &shard->records[(uint32_t)packed];
}

static unsigned int domain_of(const struct tm_shard *shard,
                              const struct slot *slot) {
  if (is_escaped(slot->packed))
    return record_of(shard, slot->packed)->domain;
  return (unsigned int)(slot->packed >> 56) - 1;
}

static void unpack(const struct tm_shard *shard, const struct slot *slot,
                   tm_trace_entry *out) {
  out->ptr = slot->ptr;
  if (is_escaped(slot->packed)) {
    const struct overflow_record *record = record_of(shard, slot->packed);
    out->size = record->size;
    out->domain = record->domain;
    out->traceback_id = record->traceback_id;
  } else {
    out->size = (uint32_t)slot->packed;
    out->domain = (uint32_t)(slot->packed >> 56) - 1;
    out->traceback_id = (uint32_t)(slot->packed >> 32) & 0xffffffu;
  }
}

static int grow_records(struct tm_shard *shard) {
  uint32_t capacity =
      shard->records_capacity ? shard->records_capacity * 2 : 16;
  if (capacity <= shard->records_capacity)
    return -1;
  struct overflow_record *records =
      tm_os_map(capacity * sizeof(struct overflow_record));
  if (!records)
    return -1;
  if (shard->records) {
    memcpy(records, shard->records,
           shard->records_used * sizeof(struct overflow_record));
    tm_os_unmap(shard->records,
                shard->records_capacity * sizeof(struct overflow_record));
  }
  shard->records = records;
  shard->records_capacity = capacity;
  return 0;
}

/* A free overflow record's index, or NO_RECORD. */
static uint32_t new_record(struct tm_shard *shard) {
  if (shard->records_free) {
    uint32_t index = shard->records_free - 1;
    shard->records_free = (uint32_t)shard->records[index].size;
    return index;
  }
  if (shard->records_used == shard->records_capacity &&
      (shard->records_used >= NO_RECORD - 1 || grow_records(shard) < 0))
    return NO_RECORD;
  return shard->records_used++;
}

static void free_record(struct tm_shard *shard, uint64_t packed) {
  if (!is_escaped(packed))
    return;
  uint32_t index = (uint32_t)packed;
  shard->records[index].size = shard->records_free;
  shard->records_free = index + 1;
}

/* The packed word of entry, or EMPTY when it needs a record and none can be
 * had. */
static uint64_t pack(struct tm_shard *shard, const tm_trace_entry *entry) {
  if (entry->size <= MAX_PACKED_SIZE && entry->traceback_id <= MAX_PACKED_ID &&
      entry->domain <= MAX_PACKED_DOMAIN)
    return (uint64_t)entry->size | (uint64_t)entry->traceback_id << 32 |
           (uint64_t)(entry->domain + 1) << 56;
  uint32_t index = new_record(shard);
  if (index == NO_RECORD)
    return EMPTY;
  shard->records[index] = (struct overflow_record){
      .size = entry->size,
      .domain = entry->domain,
      .traceback_id = entry->traceback_id,
  };
  return ESCAPE_TAG | index;
}

/* ---- Probing ----
 * Probes do not wrap around: a run that starts near the end continues into
 * a few slots past the homes, and the last slot is always free, which ends
 * every probe. Loops then step by one and compare indexes without modular
 * arithmetic. An insert that would fill the last slot grows the table. */

static int is_empty(const struct slot *slot) { return slot->packed == EMPTY; }

static uint32_t slots_of(uint32_t capacity) {
  return capacity + capacity / 32 + 16;
}

/* Multiply-shift range reduction of the hash's low 32 bits to
 * [0, capacity) (Lemire): a capacity need not be a power of two. */
static uint32_t home_of(uint32_t capacity, uint64_t hash) {
  return (uint32_t)(((uint64_t)(uint32_t)hash * capacity) >> 32);
}

/* Index of the slot of (domain, ptr), or of the free slot that ends its
 * probe sequence. */
static uint32_t probe(const struct tm_shard *shard, unsigned int domain,
                      uintptr_t ptr) {
  uint32_t i = home_of(shard->capacity, hash_key(domain, ptr));
  for (;; i++) {
    const struct slot *slot = &shard->slots[i];
    if (is_empty(slot) ||
        (slot->ptr == ptr && domain_of(shard, slot) == domain))
      return i;
  }
}

static int is_last(const struct tm_shard *shard, uint32_t i) {
  return i + 1 == shard->nslot;
}

/* Move every trace of old[] into the shard's (empty) slots; -1 if a run
 * would reach the last slot. */
static int rehash(struct tm_shard *shard, const struct slot *old,
                  uint32_t old_slots) {
  for (uint32_t i = 0; i < old_slots; i++) {
    if (is_empty(&old[i]))
      continue;
    uint32_t j = probe(shard, domain_of(shard, &old[i]), old[i].ptr);
    if (is_last(shard, j))
      return -1;
    shard->slots[j] = old[i];
  }
  return 0;
}

/* Large tables grow by a quarter when 3/4 full, to keep memory per trace
 * low; small ones (shards of up to 2,560 traces, 64 KiB) double when 5/8
 * full: there memory is cheap and shorter probes are not. */
static uint64_t next_capacity(uint64_t capacity) {
  if (capacity == 0)
    return INITIAL_CAPACITY;
  return capacity < SMALL_CAPACITY ? capacity * 2 : capacity + capacity / 4;
}

static int grow(struct tm_shard *shard) {
  struct slot *old = shard->slots;
  uint32_t old_capacity = shard->capacity;
  uint32_t old_slots = shard->nslot;
  uint64_t capacity = old_capacity;
  for (;;) {
    capacity = next_capacity(capacity);
    if (capacity > MAX_CAPACITY)
      break;
    size_t bytes = slots_of((uint32_t)capacity) * sizeof(struct slot);
    /* Zeroed: every slot EMPTY. Populated: rehash writes all over it. */
    struct slot *slots = tm_os_map_populated(bytes);
    if (!slots)
      break;
    shard->slots = slots;
    shard->capacity = (uint32_t)capacity;
    shard->nslot = slots_of((uint32_t)capacity);
    if (rehash(shard, old, old_slots) == 0) {
      shard->grow_at = (uint32_t)(capacity < SMALL_CAPACITY ? capacity * 5 / 8
                                                            : capacity * 3 / 4);
      tm_os_unmap(old, old_slots * sizeof(struct slot));
      return 0;
    }
    tm_os_unmap(slots, bytes); /* A freak run: larger still. */
  }
  shard->slots = old;
  shard->capacity = old_capacity;
  shard->nslot = old_slots;
  return -1;
}

int tm_table_put(tm_shard *shard, const tm_trace_entry *entry,
                 size_t *old_size) {
  if (shard->count >= shard->grow_at && grow(shard) < 0)
    return -1;
  uint32_t i = probe(shard, entry->domain, entry->ptr);
  if (is_last(shard, i)) {
    if (grow(shard) < 0)
      return -1;
    i = probe(shard, entry->domain, entry->ptr);
    if (is_last(shard, i))
      return -1;
  }
  uint64_t packed = pack(shard, entry);
  if (packed == EMPTY)
    return -1;
  struct slot *slot = &shard->slots[i];
  if (is_empty(slot)) {
    shard->count++;
    *old_size = SIZE_MAX;
  } else {
    tm_trace_entry old;
    unpack(shard, slot, &old);
    *old_size = old.size;
    free_record(shard, slot->packed);
  }
  slot->ptr = entry->ptr;
  slot->packed = packed;
  return 0;
}

int tm_table_find(tm_shard *shard, unsigned int domain, uintptr_t ptr,
                  tm_trace_entry *out) {
  if (shard->count == 0)
    return 0;
  const struct slot *slot = &shard->slots[probe(shard, domain, ptr)];
  if (is_empty(slot))
    return 0;
  unpack(shard, slot, out);
  return 1;
}

/* Backward-shift deletion: pull later slots of the probe run into the hole
 * when their home is at or before it, so lookups never need tombstones. */
static void remove_at(struct tm_shard *shard, uint32_t hole) {
  for (uint32_t i = hole + 1; !is_empty(&shard->slots[i]); i++) {
    const struct slot *slot = &shard->slots[i];
    if (home_of(shard->capacity, hash_key(domain_of(shard, slot), slot->ptr)) <=
        hole) {
      shard->slots[hole] = *slot;
      hole = i;
    }
  }
  shard->slots[hole].packed = EMPTY;
  shard->count--;
}

int tm_table_take(tm_shard *shard, unsigned int domain, uintptr_t ptr,
                  tm_trace_entry *out) {
  if (shard->count == 0)
    return 0;
  uint32_t i = probe(shard, domain, ptr);
  struct slot *slot = &shard->slots[i];
  if (is_empty(slot))
    return 0;
  unpack(shard, slot, out);
  free_record(shard, slot->packed);
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
    if (shard->slots)
      tm_os_unmap(shard->slots, shard->nslot * sizeof(struct slot));
    tm_os_unmap(shard->records,
                shard->records_capacity * sizeof(struct overflow_record));
    /* Field by field: the lock word is in use. */
    shard->capacity = shard->nslot = shard->count = shard->grow_at = 0;
    shard->slots = NULL;
    shard->records = NULL;
    shard->records_capacity = shard->records_used = shard->records_free = 0;
  }
}

size_t tm_table_count_locked(void) {
  size_t count = 0;
  for (unsigned int i = 0; i < SHARD_COUNT; i++)
    count += shards[i].count;
  return count;
}

size_t tm_table_copy_locked(tm_trace_entry *out, size_t *total_size) {
  size_t n = 0, total = 0;
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    const struct tm_shard *shard = &shards[i];
    for (uint32_t j = 0; j < shard->nslot; j++) {
      if (is_empty(&shard->slots[j]))
        continue;
      unpack(shard, &shard->slots[j], &out[n]);
      total += out[n++].size;
    }
  }
  *total_size = total;
  return n;
}

int tm_table_find_containing_locked(uintptr_t addr, tm_trace_entry *out) {
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    const struct tm_shard *shard = &shards[i];
    for (uint32_t j = 0; j < shard->nslot; j++) {
      const struct slot *slot = &shard->slots[j];
      if (is_empty(slot) || slot->ptr > addr)
        continue;
      unpack(shard, slot, out);
      if (addr - out->ptr < out->size)
        return 1;
    }
  }
  return 0;
}

/* ---- Raw copies ----
 * The traces at the peak (peak_copy.c) are copied at every new peak and
 * read only when a snapshot of them is taken. So their copy is the shards'
 * storage as it is, each slot array and the overflow records in use copied
 * with one memcpy, and unpacking into entries waits for that snapshot:
 * unpacking every slot, empty ones included, at each copy cost ~8
 * instructions a slot (peak_copy.c has the figures). A raw copy is a
 * struct tm_table_raw, then each shard's slots and records. */
struct raw_shard {
  uint32_t nslot;
  uint32_t nrecord;
};

struct tm_table_raw {
  size_t count; /* traces */
  struct raw_shard shards[SHARD_COUNT];
};

size_t tm_table_raw_size_locked(void) {
  size_t size = sizeof(struct tm_table_raw);
  for (unsigned int i = 0; i < SHARD_COUNT; i++)
    size += shards[i].nslot * sizeof(struct slot) +
            shards[i].records_used * sizeof(struct overflow_record);
  return size;
}

size_t tm_table_raw_copy_locked(tm_table_raw *raw) {
  char *next = (char *)(raw + 1);
  raw->count = 0;
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    const struct tm_shard *shard = &shards[i];
    size_t slot_bytes = shard->nslot * sizeof(struct slot);
    size_t record_bytes = shard->records_used * sizeof(struct overflow_record);
    raw->shards[i] = (struct raw_shard){shard->nslot, shard->records_used};
    raw->count += shard->count;
    if (slot_bytes)
      memcpy(next, shard->slots, slot_bytes);
    next += slot_bytes;
    if (record_bytes)
      memcpy(next, shard->records, record_bytes);
    next += record_bytes;
  }
  return raw->count;
}

size_t tm_table_raw_unpack(const tm_table_raw *raw, tm_trace_entry *out) {
  const char *next = (const char *)(raw + 1);
  size_t n = 0;
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    /* A shard as the copy saw it: what unpack reads of one. */
    struct tm_shard copied = {.nslot = raw->shards[i].nslot};
    copied.slots = (struct slot *)next;
    next += copied.nslot * sizeof(struct slot);
    copied.records = (struct overflow_record *)next;
    next += raw->shards[i].nrecord * sizeof(struct overflow_record);
    for (uint32_t j = 0; j < copied.nslot; j++)
      if (!is_empty(&copied.slots[j]))
        unpack(&copied, &copied.slots[j], &out[n++]);
  }
  return n;
}
