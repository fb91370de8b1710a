/*
 * trace_table.c - one trace per live block: (domain, pointer) -> (size,
 * traceback id).
 *
 * Sharded by the block's 64 MiB region and its hash (shard_of), with one
 * lock per shard, so threads allocating at the same time rarely meet. Each
 * shard is an open-addressing table with linear probing and backward-shift
 * deletion (no tombstones: the churn of malloc/free would otherwise fill the
 * table with them). The memory comes from mmap, in regions a table grows
 * in (see Growth).
 *
 * Memory per trace is what a tracer that is left on must keep small, so a
 * slot is 12 bytes: the address (shifted: blocks are 16-byte aligned), the
 * size, the traceback id and the domain packed in 44, 29, 20 and 3 bits. A
 * trace that does not fit -- a block of 512 MiB or more, a domain above 5,
 * an unaligned address given to tracemalloc_track -- is kept whole in the
 * shard's overflow records, its slot pointing there. A free slot is all
 * zeros (a trace's tag never is), so a table fresh from mmap, whose pages
 * the kernel gives zeroed, needs no filling. Large tables grow by a quarter
 * when 3/4 full, and slots are found by multiply-shift range reduction
 * rather than a mask (a capacity need not be a power of two): 17-21 bytes
 * of table per trace (16-byte slots took 22-28, 24-byte entries in
 * power-of-two tables 32-64; mem_trace.c in utils/bench measures it).
 *
 * So this is not the runtime's hash table (hash_table.h), which serves the
 * tables that are built, read and freed whole: this one is on every malloc
 * and free, must delete, must be sharded under locks, and must keep its
 * memory per trace small for as long as the program runs -- 12-byte packed
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
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define SHARD_BITS 6
#define SHARD_COUNT (1u << SHARD_BITS)
#define INITIAL_CAPACITY 256u
#define SMALL_CAPACITY 16384u
/* Capacities are 32-bit: the range reduction multiplies by them. */
#define MAX_CAPACITY (UINT32_MAX / 2)

/* A slot is 12 bytes, read as a 64-bit word (lo) and a 32-bit one (hi):
 *   lo bits 0-2   tag: 0 a free slot, 1-6 a packed trace of domain tag - 1,
 *                 7 an escaped trace (hi: its overflow record's index);
 *   lo bits 3-46  the key: the block's address >> 4;
 *   lo bits 47-63 and hi bits 0-11: the size (29 bits);
 *   hi bits 12-31 the traceback id (20 bits).
 * A trace packs when its address is 16-byte aligned and below 2^48 (every
 * block malloc gives on x86-64 and AArch64), its domain at most 5 (the C
 * library's and C++'s 0, a configured family's first few), its size under
 * 512 MiB and its traceback id under 2^20; any other is escaped. A free
 * slot is all zeros, so a table fresh from mmap needs no filling. */
#define TAG_MASK UINT64_C(7)
#define TAG_FREE 0u
#define TAG_ESCAPED 7u
#define MAX_PACKED_DOMAIN 5u
#define KEY_SHIFT 3
#define KEY_BITS 44
/* The tag and the key: what identifies a packed trace. */
#define IDENTITY_MASK ((UINT64_C(1) << (KEY_SHIFT + KEY_BITS)) - 1)
#define SIZE_LOW_SHIFT (KEY_SHIFT + KEY_BITS)
#define SIZE_LOW_BITS (64 - SIZE_LOW_SHIFT)
#define SIZE_HIGH_BITS 12
#define MAX_PACKED_SIZE ((UINT64_C(1) << (SIZE_LOW_BITS + SIZE_HIGH_BITS)) - 1)
#define ID_SHIFT SIZE_HIGH_BITS
#define MAX_PACKED_ID ((UINT32_C(1) << (32 - ID_SHIFT)) - 1)
/* The identity of a trace that cannot pack: no slot's masked lo equals it. */
#define NO_IDENTITY UINT64_MAX
/* No overflow record to be had. */
#define NO_RECORD UINT32_MAX

struct slot {
  uint32_t word[3];
};
_Static_assert(sizeof(struct slot) == 12, "a slot is 12 bytes");

/* A trace that does not pack, whole. Free records are chained through size
 * (the next one's index + 1, 0 at the end). */
struct overflow_record {
  uintptr_t ptr;
  size_t size;
  uint32_t domain;
  uint32_t traceback_id;
};

struct tm_shard {
  _Atomic int lock;  /* 0 free, 1 held, 2 held and maybe waited for */
  uint32_t capacity; /* home slots; 0 before the first insert */
  uint32_t nslot;    /* slots, past the homes included */
  uint32_t count;
  uint32_t grow_at;   /* more traces than this and the table grows */
  struct slot *slots; /* at the start of table */
  tm_os_region table;
  struct overflow_record *records;
  uint32_t records_capacity;
  uint32_t records_used; /* records ever handed out, free ones included */
  uint32_t records_free; /* the first free record's index + 1, or 0 */
} __attribute__((aligned(64)));

static struct tm_shard shards[SHARD_COUNT];

/* Each shard's table address and capacity again, apart from its lock's
 * cache line, for tm_table_prefetch: read there, the line another thread's
 * lock and unlock keep taking away cost a second transfer per operation
 * (two threads: 12% of the time in the prefetch). Written only when a table
 * is replaced. */
static struct table_view {
  struct slot *slots;
  uint32_t capacity;
} table_views[SHARD_COUNT];

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
  /* A lock found held with one thread -- a signal handler that interrupted
   * its holder -- takes the ordinary path and waits, as before. */
  /* With one thread nobody can take a lock between our load and store, and
   * no thread can appear while we hold one: only we could create it. */
  if (tm_single_threaded() &&
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
  if (tm_single_threaded()) {
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

/* What a key hashes as: for a trace that packs, exactly its slot's tag and
 * key bits (see Packing), so the home of a packed slot is found without
 * unpacking it (remove_at). Addresses given to tracemalloc_track may be
 * unaligned or high: their lost bits only make hashes meet, never keys. */
static uint64_t key_word(unsigned int domain, uintptr_t ptr) {
  return ((uint64_t)domain + 1) ^ (uint64_t)ptr >> 4 << 3;
}

static uint64_t hash_key(unsigned int domain, uintptr_t ptr) {
  return tm_hash_integer(key_word(domain, ptr));
}

/* The shard: the block's 64 MiB region picks a group of four shards, the
 * top bits of its hash one of them; the low 32 bits pick the slot. glibc
 * gives each thread's arena heaps of their own, 64 MiB aligned, so threads
 * allocating and freeing their own blocks seldom take the same shard lock
 * -- with shards picked by the hash alone, two threads took each other's
 * lock lines at nearly every operation and ran at the throughput of one. */
#define REGION_SHIFT 26
#define GROUP_BITS 2
static struct tm_shard *shard_of(uint64_t hash, uintptr_t ptr) {
  uint64_t region = tm_hash_integer((uint64_t)ptr >> REGION_SHIFT);
  uint64_t group = region >> (64 - (SHARD_BITS - GROUP_BITS));
  return &shards[group << GROUP_BITS | hash >> (64 - GROUP_BITS)];
}

static uint32_t home_of(uint32_t capacity, uint64_t hash);
static uint64_t identity_of(unsigned int domain, uintptr_t ptr);

/* The prefetch reads the table's address and capacity from its view with
 * relaxed atomics, without the lock (set_table stores them so): they may be
 * a mismatched pair while the shard grows -- then the wrong line is loaded,
 * which does no harm: a prefetch never faults. */
void tm_table_key_init(tm_table_key *key, unsigned int domain, uintptr_t ptr) {
  uint64_t hash = hash_key(domain, ptr);
  struct tm_shard *shard = shard_of(hash, ptr);
  *key = (tm_table_key){.ptr = ptr,
                        .domain = domain,
                        .hash = hash,
                        .identity = identity_of(domain, ptr),
                        .shard = shard};
  struct table_view *view = &table_views[shard - shards];
  struct slot *slots = __atomic_load_n(&view->slots, __ATOMIC_RELAXED);
  uint32_t capacity = __atomic_load_n(&view->capacity, __ATOMIC_RELAXED);
  if (slots)
    __builtin_prefetch(&slots[home_of(capacity, hash)], 1);
}

void tm_table_lock(const tm_table_key *key) { acquire(&key->shard->lock); }

void tm_table_unlock(const tm_table_key *key) { release(&key->shard->lock); }

/* ---- Packing ---- */

static uint64_t lo_of(const struct slot *slot) {
  uint64_t lo;
  __builtin_memcpy(&lo, slot->word, sizeof lo); /* -fno-builtin: say so */
  return lo;
}

static uint32_t hi_of(const struct slot *slot) { return slot->word[2]; }

static void store(struct slot *slot, uint64_t lo, uint32_t hi) {
  __builtin_memcpy(slot->word, &lo, sizeof lo);
  slot->word[2] = hi;
}

static unsigned int tag_of(uint64_t lo) {
  return (unsigned int)(lo & TAG_MASK);
}

static int is_escaped(const struct slot *slot) {
  return tag_of(lo_of(slot)) == TAG_ESCAPED;
}

/* The tag and key of a packed trace of (domain, ptr), or NO_IDENTITY: the
 * address must be 16-byte aligned and below 2^48. */
#define UNPACKED_ADDRESS_BITS (~(((UINT64_C(1) << KEY_BITS) - 1) << 4))

static uint64_t identity_of(unsigned int domain, uintptr_t ptr) {
  if (domain > MAX_PACKED_DOMAIN || ((uint64_t)ptr & UNPACKED_ADDRESS_BITS))
    return NO_IDENTITY;
  return key_word(domain, ptr);
}

static struct overflow_record *record_of(const struct tm_shard *shard,
                                         const struct slot *slot) {
  return &shard->records[hi_of(slot)];
}

/* The address of a packed trace whose low word is lo. */
static uintptr_t packed_ptr(uint64_t lo) {
  return (uintptr_t)((lo & IDENTITY_MASK) >> KEY_SHIFT << 4);
}

static void unpack(const struct tm_shard *shard, const struct slot *slot,
                   tm_trace_entry *out) {
  uint64_t lo = lo_of(slot);
  uint32_t hi = hi_of(slot);
  if (tag_of(lo) == TAG_ESCAPED) {
    const struct overflow_record *record = record_of(shard, slot);
    out->ptr = record->ptr;
    out->size = record->size;
    out->domain = record->domain;
    out->traceback_id = record->traceback_id;
  } else {
    out->ptr = packed_ptr(lo);
    out->size = (size_t)(lo >> SIZE_LOW_SHIFT) |
                (size_t)(hi & ((1u << SIZE_HIGH_BITS) - 1)) << SIZE_LOW_BITS;
    out->domain = tag_of(lo) - 1;
    out->traceback_id = hi >> ID_SHIFT;
  }
}

static TM_COLD int grow_records(struct tm_shard *shard) {
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
static TM_COLD uint32_t new_record(struct tm_shard *shard) {
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

static void free_record(struct tm_shard *shard, const struct slot *slot) {
  if (!is_escaped(slot))
    return;
  uint32_t index = hi_of(slot);
  shard->records[index].size = shard->records_free;
  shard->records_free = index + 1;
}

/* The slot words of entry: 0, or -1 when it needs an overflow record and
 * none can be had. */
static int pack(struct tm_shard *shard, const tm_trace_entry *entry,
                uint64_t *lo, uint32_t *hi) {
  uint64_t identity = identity_of(entry->domain, entry->ptr);
  if (identity != NO_IDENTITY && entry->size <= MAX_PACKED_SIZE &&
      entry->traceback_id <= MAX_PACKED_ID) {
    *lo = identity | (uint64_t)entry->size << SIZE_LOW_SHIFT;
    *hi = (uint32_t)(entry->size >> SIZE_LOW_BITS) | entry->traceback_id
                                                         << ID_SHIFT;
    return 0;
  }
  uint32_t index = new_record(shard);
  if (index == NO_RECORD)
    return -1;
  shard->records[index] = (struct overflow_record){
      .ptr = entry->ptr,
      .size = entry->size,
      .domain = entry->domain,
      .traceback_id = entry->traceback_id,
  };
  *lo = TAG_ESCAPED;
  *hi = index;
  return 0;
}

/* ---- Probing ----
 * Probes do not wrap around: a run that starts near the end continues into
 * a few slots past the homes, and the last slot is always free, which ends
 * every probe. Loops then step by one and compare indexes without modular
 * arithmetic. An insert that would fill the last slot grows the table. */

static int is_empty(const struct slot *slot) {
  return tag_of(lo_of(slot)) == TAG_FREE;
}

static uint32_t slots_of(uint32_t capacity) {
  return capacity + capacity / 32 + 16;
}

/* Multiply-shift range reduction of the hash's low 32 bits to
 * [0, capacity) (Lemire): a capacity need not be a power of two. */
static uint32_t home_of(uint32_t capacity, uint64_t hash) {
  return (uint32_t)(((uint64_t)(uint32_t)hash * capacity) >> 32);
}

/* Whether lo is a free slot's or an escaped trace's: tags 0 and 7, the two
 * a probe stops at or looks past its slot for, in one test. */
static int is_free_or_escaped(uint64_t lo) {
  return ((lo + 1) & (TAG_MASK - 1)) == 0;
}

/* Index of the slot of (domain, ptr), whose hash_key is hash and identity
 * identity_of, or of the free slot that ends its probe sequence. The loop
 * is the table's hottest: one load and two tests a slot. */
static uint32_t probe(const struct tm_shard *shard, unsigned int domain,
                      uintptr_t ptr, uint64_t hash, uint64_t identity) {
  const struct slot *slots = shard->slots;
  const struct slot *slot = &slots[home_of(shard->capacity, hash)];
  for (;; slot++) {
    uint64_t lo = lo_of(slot);
    if ((lo & IDENTITY_MASK) == identity)
      break;
    if (__builtin_expect(is_free_or_escaped(lo), 0)) {
      if (tag_of(lo) == TAG_FREE)
        break;
      const struct overflow_record *record = record_of(shard, slot);
      if (record->ptr == ptr && record->domain == domain)
        break;
    }
  }
  return (uint32_t)(slot - slots);
}

static uint32_t probe_key(const tm_table_key *key) {
  return probe(key->shard, key->domain, key->ptr, key->hash, key->identity);
}

/* The home of the trace in slot: a packed one hashes its identity bits. */
static uint32_t home_of_slot(const struct tm_shard *shard,
                             const struct slot *slot) {
  uint64_t lo = lo_of(slot);
  if (__builtin_expect(tag_of(lo) == TAG_ESCAPED, 0)) {
    const struct overflow_record *record = record_of(shard, slot);
    return home_of(shard->capacity, hash_key(record->domain, record->ptr));
  }
  return home_of(shard->capacity, tm_hash_integer(lo & IDENTITY_MASK));
}

static int is_last(const struct tm_shard *shard, uint32_t i) {
  return i + 1 == shard->nslot;
}

/* Move every trace of old[] into the shard's (empty) slots; -1 if a run
 * would reach the last slot. */
static int rehash(struct tm_shard *shard, const struct slot *old,
                  uint32_t old_slots) {
  /* The traces are distinct: each goes to the first free slot from its
   * home, compared with none, and its slot is copied as it is. */
  struct slot *slots = shard->slots;
  for (uint32_t i = 0; i < old_slots; i++) {
    if (is_empty(&old[i]))
      continue;
    uint32_t j = home_of_slot(shard, &old[i]);
    while (!is_empty(&slots[j]))
      j++;
    if (is_last(shard, j))
      return -1;
    slots[j] = old[i];
  }
  return 0;
}

/* Large tables grow by a quarter when 3/4 full, to keep memory per trace
 * low; small ones (shards of up to 8,192 traces, 192 KiB) double when half
 * full: there memory is cheap -- 12 MiB for all 64 shards at most -- and
 * shorter probes are not. A put probes to the end of its run (the address
 * may be there already) and a take shifts the rest of the run back: at a
 * load of 0.64 instead of 0.5, alloc_heavy's 4,096 traces a shard cost 43M
 * more instructions in 400,000 steps (684M against 641M). */
static uint64_t next_capacity(uint64_t capacity) {
  if (capacity == 0)
    return INITIAL_CAPACITY;
  return capacity < SMALL_CAPACITY ? capacity * 2 : capacity + capacity / 4;
}

/* The view: relaxed atomic stores, tm_table_prefetch reads it without the
 * lock. */
static void set_table(struct tm_shard *shard, struct slot *slots,
                      uint32_t capacity) {
  struct table_view *view = &table_views[shard - shards];
  __atomic_store_n(&view->slots, slots, __ATOMIC_RELAXED);
  __atomic_store_n(&view->capacity, capacity, __ATOMIC_RELAXED);
  shard->slots = slots;
  shard->capacity = capacity;
  shard->nslot = capacity ? slots_of(capacity) : 0;
}

/* ---- Growth ----
 * A table lives at the start of a region (os_memory.c) with room for it to
 * grow sixteen-fold, and grows there: its traces are set aside, more of the
 * region is committed, and they are moved back in. The pages it had keep
 * their place, so only the new ones are written for the first time. On
 * this guest, whose hypervisor shadows the page tables, that first write
 * costs about a microsecond a page (1.6-2.2 ms for a fresh 1.6 MB against
 * 44 us for a second pass), and a table growing by a quarter at a time to
 * 1.2M traces had written every page of five tables: grow was a tenth of
 * the traced Lua's CPU time, half of it on the first read of each new
 * slot. A table moves to a new region only when it outgrows its own. */
#define ROOM_FACTOR 16u
/* Past this, a new region leaves room for doubling only: address space is
 * plentiful, not boundless (RLIMIT_AS counts it). */
#define ROOM_MAX ((size_t)1 << 30)

/* Where the traces of a table rebuilt in place are set aside: one buffer
 * for every shard, itself kept (and grown in place) from one growth to the
 * next, under a lock of its own -- tables grow with their shard locked,
 * two shards at once at most as often as two threads. Never taken first:
 * a fork, which holds every shard lock, cannot find it held. It costs the
 * size of the largest table that grew: with whole pages now counted too,
 * utils/bench/mem_trace.c's 1M traces take 20.1 bytes each instead of
 * 18.6. */
static tm_os_region aside;
static _Atomic int aside_lock;

/* A new region's room for a table of bytes. Under RLIMIT_AS, none to
 * spare: address space reserved and never used would be taken from what
 * the program may map, and its mappings would fail sooner than untraced. */
static size_t room_for(size_t bytes) {
  if (tm_os_address_space_limited())
    return bytes;
  return bytes > ROOM_MAX / ROOM_FACTOR ? bytes * 2 : bytes * ROOM_FACTOR;
}

static const struct slot *set_aside(const struct slot *slots, size_t bytes) {
  acquire(&aside_lock);
  if (bytes > aside.reserved) {
    tm_os_region_release(&aside);
    if (tm_os_region_reserve(&aside, room_for(bytes)) < 0) {
      release(&aside_lock);
      return NULL;
    }
  }
  if (tm_os_region_commit(&aside, bytes) < 0) {
    release(&aside_lock);
    return NULL;
  }
  memcpy(aside.base, slots, bytes);
  return (const struct slot *)aside.base;
}

static void done_aside(void) { release(&aside_lock); }

static size_t table_bytes(uint64_t capacity) {
  return slots_of((uint32_t)capacity) * sizeof(struct slot);
}

static void set_grow_at(struct tm_shard *shard) {
  uint32_t capacity = shard->capacity;
  shard->grow_at = capacity < SMALL_CAPACITY ? capacity / 2 : capacity * 3 / 4;
}

/* The table rebuilt at capacity in its own region: 0, or -1 with the table
 * as it was (not enough room or memory, or a freak run). */
static int grow_in_place(struct tm_shard *shard, uint64_t capacity) {
  size_t bytes = table_bytes(capacity);
  uint32_t old_capacity = shard->capacity, old_slots = shard->nslot;
  size_t old_bytes = old_slots * sizeof(struct slot);
  if (bytes > shard->table.reserved)
    return -1;
  const struct slot *old = set_aside(shard->slots, old_bytes);
  if (!old)
    return -1;
  /* Written so far: the new pages come zeroed, these are cleared. */
  size_t dirty = shard->table.committed;
  int status = tm_os_region_commit(&shard->table, bytes);
  if (status == 0) {
    memset(shard->slots, 0, dirty);
    set_table(shard, shard->slots, (uint32_t)capacity);
    status = rehash(shard, old, old_slots);
    if (status < 0) {
      memset(shard->slots, 0, bytes);
      memcpy(shard->slots, old, old_bytes);
      set_table(shard, shard->slots, old_capacity);
    }
  }
  done_aside();
  return status;
}

/* The table rebuilt at capacity in a new region, the old one given back:
 * 0, or -1 with the table as it was. */
static int grow_elsewhere(struct tm_shard *shard, uint64_t capacity) {
  size_t bytes = table_bytes(capacity);
  tm_os_region table;
  if (tm_os_region_reserve(&table, room_for(bytes)) < 0 &&
      tm_os_region_reserve(&table, bytes) < 0)
    return -1;
  if (tm_os_region_commit(&table, bytes) < 0) {
    tm_os_region_release(&table);
    return -1;
  }
  const struct slot *old = shard->slots;
  uint32_t old_capacity = shard->capacity, old_slots = shard->nslot;
  set_table(shard, (struct slot *)table.base, (uint32_t)capacity);
  if (rehash(shard, old, old_slots) < 0) {
    set_table(shard, (struct slot *)shard->table.base, old_capacity);
    tm_os_region_release(&table);
    return -1;
  }
  tm_os_region_release(&shard->table);
  shard->table = table;
  return 0;
}

static TM_COLD int grow(struct tm_shard *shard) {
  for (uint64_t capacity = next_capacity(shard->capacity);
       capacity <= MAX_CAPACITY; capacity = next_capacity(capacity)) {
    /* A freak run that reaches the last slot: larger still. */
    if (grow_in_place(shard, capacity) == 0 ||
        grow_elsewhere(shard, capacity) == 0) {
      set_grow_at(shard);
      return 0;
    }
  }
  return -1;
}

int tm_table_put(const tm_table_key *key, size_t size, uint32_t traceback_id,
                 size_t *old_size) {
  struct tm_shard *shard = key->shard;
  if (shard->count >= shard->grow_at && grow(shard) < 0)
    return -1;
  uint32_t i = probe_key(key);
  if (is_last(shard, i)) {
    if (grow(shard) < 0)
      return -1;
    i = probe_key(key);
    if (is_last(shard, i))
      return -1;
  }
  const tm_trace_entry entry = {.ptr = key->ptr,
                                .size = size,
                                .domain = key->domain,
                                .traceback_id = traceback_id};
  uint64_t lo;
  uint32_t hi;
  if (pack(shard, &entry, &lo, &hi) < 0)
    return -1;
  struct slot *slot = &shard->slots[i];
  if (is_empty(slot)) {
    shard->count++;
    *old_size = SIZE_MAX;
  } else {
    tm_trace_entry old;
    unpack(shard, slot, &old);
    *old_size = old.size;
    free_record(shard, slot);
  }
  store(slot, lo, hi);
  return 0;
}

int tm_table_find(const tm_table_key *key, tm_trace_entry *out) {
  const struct tm_shard *shard = key->shard;
  if (shard->count == 0)
    return 0;
  const struct slot *slot = &shard->slots[probe_key(key)];
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
    if (home_of_slot(shard, slot) <= hole) {
      shard->slots[hole] = *slot;
      hole = i;
    }
  }
  store(&shard->slots[hole], 0, 0);
  shard->count--;
}

int tm_table_take(const tm_table_key *key, tm_trace_entry *out) {
  struct tm_shard *shard = key->shard;
  if (shard->count == 0)
    return 0;
  uint32_t i = probe_key(key);
  struct slot *slot = &shard->slots[i];
  if (is_empty(slot))
    return 0;
  unpack(shard, slot, out);
  free_record(shard, slot);
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
  /* No table grows now: every shard is locked. */
  tm_os_region_release(&aside);
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    struct tm_shard *shard = &shards[i];
    tm_os_region_release(&shard->table);
    tm_os_unmap(shard->records,
                shard->records_capacity * sizeof(struct overflow_record));
    /* Field by field: the lock word is in use. */
    set_table(shard, NULL, 0);
    shard->count = shard->grow_at = 0;
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
      if (is_empty(slot))
        continue;
      unpack(shard, slot, out);
      if (out->ptr <= addr && addr - out->ptr < out->size)
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

/* A shard's slots in bytes, rounded up so that its records that follow are
 * aligned (a slot is 12 bytes). */
static size_t raw_slot_bytes(uint32_t nslot) {
  size_t align = _Alignof(struct overflow_record);
  return (nslot * sizeof(struct slot) + align - 1) / align * align;
}

size_t tm_table_raw_size_locked(void) {
  size_t size = sizeof(struct tm_table_raw);
  for (unsigned int i = 0; i < SHARD_COUNT; i++)
    size += raw_slot_bytes(shards[i].nslot) +
            shards[i].records_used * sizeof(struct overflow_record);
  return size;
}

size_t tm_table_raw_copy_locked(tm_table_raw *raw) {
  char *next = (char *)(raw + 1);
  raw->count = 0;
  for (unsigned int i = 0; i < SHARD_COUNT; i++) {
    const struct tm_shard *shard = &shards[i];
    size_t slot_bytes = raw_slot_bytes(shard->nslot);
    size_t record_bytes = shard->records_used * sizeof(struct overflow_record);
    raw->shards[i] = (struct raw_shard){shard->nslot, shard->records_used};
    raw->count += shard->count;
    if (shard->nslot)
      memcpy(next, shard->slots, shard->nslot * sizeof(struct slot));
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
    next += raw_slot_bytes(copied.nslot);
    copied.records = (struct overflow_record *)next;
    next += raw->shards[i].nrecord * sizeof(struct overflow_record);
    for (uint32_t j = 0; j < copied.nslot; j++)
      if (!is_empty(&copied.slots[j]))
        unpack(&copied, &copied.slots[j], &out[n++]);
  }
  return n;
}
