/*
 * traceback_cache.c - per thread, the traceback ids of recent call stacks.
 *
 * A traceback is a function of the allocation's site and the shadow-stack
 * slots it reads (tm_caller_slots): site records are constant, so equal
 * slots give equal frames. Capturing the frames dereferences every slot
 * (even with nframe=1, for total_nframe), then they are hashed and looked up
 * in the depot: at nframe=25 that was most of an allocation's cost. Programs
 * allocate again and again from the same call stacks, so each thread keeps
 * a direct-mapped cache from the raw slots (not dereferenced) to the id the
 * depot gave: a hit hashes and compares the slots, and that is all.
 *
 * Every id in a cache was interned in the depot epoch the cache records
 * (tm_traceback_epoch), with the limit it records. The epoch changes when
 * the depot is reset (its ids are gone) and when a module is unloaded: its
 * site records are replaced by copies in the depot, and a later dlopen may
 * map a new record at the same address, which a stale key would match. A
 * hit is used only after checking the epoch under the shard lock, and the
 * first store of a new epoch or limit empties the cache.
 *
 * The cache is the thread's own, in pages mapped on its first traced
 * allocation and given back when it exits; a fork child keeps the forking
 * thread's, which matches the depot it inherits. Nothing here is shared,
 * so nothing needs a lock; signal handlers cannot get in, since
 * tm_record_alloc runs with tm_reentrant raised.
 */
#include "tracer.h"

#include "hash.h"

#include <pthread.h>
#include <string.h>

/* Sets of CACHE_WAYS entries, most recently stored first; a power of two. */
#define CACHE_SETS 2048u
#define CACHE_WAYS 2u
/* Longer stacks are not cached: they are rare, and their keys would crowd
 * out many short ones. */
#define KEY_MAX_SLOTS 256u
/* A key is __tm_shadow.slots[0, nslots) as they lie: the ring of slots has
 * not wrapped around below its capacity. */
_Static_assert(KEY_MAX_SLOTS <= TM_SHADOW_CAP, "a key must not wrap around");
/* The keys' pool: its first size, and the most it grows to. */
#define POOL_INITIAL_SLOTS 4096u
#define POOL_MAX_SLOTS 65536u

struct cache_entry {
  uint64_t hash; /* of the key, with bit 0 set; 0 when empty */
  tm_site_t site;
  uint32_t key_offset; /* the slots, in the pool */
  uint16_t nslots;
  uint16_t room; /* pool slots reserved at key_offset */
  uint32_t id;
};

struct thread_cache {
  uint64_t epoch; /* of every id in entries[] */
  unsigned int limit;
  uint32_t pool_used, pool_size;
  tm_site_t *pool;
  struct cache_entry entries[CACHE_SETS][CACHE_WAYS];
};

/* No epoch yet: the first store sets it. The depot's epochs count resets
 * and unloads from 0, and never get this far. */
#define NO_EPOCH UINT64_MAX

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;
static _Thread_local struct thread_cache *thread_cache;

static void unmap_cache(void *arg) {
  struct thread_cache *cache = arg;
  tm_os_unmap(cache->pool, cache->pool_size * sizeof(tm_site_t));
  tm_os_unmap(cache, sizeof(*cache));
  thread_cache = NULL;
}

static void create_key(void) { pthread_key_create(&cache_key, unmap_cache); }

static TM_COLD struct thread_cache *new_thread_cache(void) {
  pthread_once(&key_once, create_key);
  struct thread_cache *cache = tm_os_map(sizeof(*cache));
  tm_site_t *pool = tm_os_map(POOL_INITIAL_SLOTS * sizeof(tm_site_t));
  if (!cache || !pool) {
    tm_os_unmap(cache, sizeof(*cache));
    tm_os_unmap(pool, POOL_INITIAL_SLOTS * sizeof(tm_site_t));
    return NULL;
  }
  /* Mapped pages are zero: every entry is empty. */
  cache->epoch = NO_EPOCH;
  cache->pool = pool;
  cache->pool_size = POOL_INITIAL_SLOTS;
  pthread_setspecific(cache_key, cache);
  thread_cache = cache;
  return cache;
}

static struct thread_cache *this_thread_cache(void) {
  if (__builtin_expect(thread_cache != NULL, 1))
    return thread_cache;
  return new_thread_cache();
}

static TM_COLD void empty(struct thread_cache *cache) {
  memset(cache->entries, 0, sizeof(cache->entries));
  cache->pool_used = 0;
}

static uint64_t rotate_left(uint64_t x, unsigned int n) {
  return x << n | x >> (64 - n);
}

/* Only the innermost slots are hashed: deeper ones rarely tell two call
 * stacks apart, and the lookup compares every slot anyway. */
#define HASHED_SLOTS 16u

/* One multiply per slot. Past LANE_SLOTS slots, in four lanes (slot i of
 * the run goes into lane i % 4): each lane's multiplies wait for each
 * other, the lanes' do not. With a single chain, a deep stack's hash
 * (CPython's: tens of slots) was a multiply's latency per slot, most of a
 * lookup's time; a short one keeps the single chain, which costs fewer
 * instructions. The end mixes the high bits, where the products carry
 * their entropy, into the low ones, which pick the entry. */
#define LANE_SLOTS 12u

static uint64_t hash_lanes(uint64_t h, const tm_site_t *slots, uint32_t n) {
  uint64_t h1 = 1, h2 = 2, h3 = 3;
  for (uint32_t i = 0; i < n; i += 4) {
    h = (h ^ (uintptr_t)slots[i]) * TM_HASH_GOLDEN;
    h1 = (h1 ^ (uintptr_t)slots[i + 1]) * TM_HASH_GOLDEN;
    h2 = (h2 ^ (uintptr_t)slots[i + 2]) * TM_HASH_GOLDEN;
    h3 = (h3 ^ (uintptr_t)slots[i + 3]) * TM_HASH_GOLDEN;
  }
  return (h ^ rotate_left(h1, 16) ^ rotate_left(h2, 32) ^ rotate_left(h3, 48)) *
         TM_HASH_GOLDEN;
}

static uint64_t hash_chain(uint64_t h, const tm_site_t *slots, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    h = (h ^ (uintptr_t)slots[i]) * TM_HASH_GOLDEN;
  return h;
}

/* The innermost HASHED_SLOTS slots of a deep stack, in lanes. */
static uint64_t hash_deep(uint64_t h, const tm_site_t *slots, uint32_t nslots) {
  uint32_t first = nslots > HASHED_SLOTS ? nslots - HASHED_SLOTS : 0;
  uint32_t run = (nslots - first) & ~3u;
  h = hash_lanes(h, slots + first, run);
  return hash_chain(h, slots + first + run, nslots - first - run);
}

static uint64_t hash_key(tm_site_t site, const tm_site_t *slots,
                         uint32_t nslots) {
  uint64_t h = ((uintptr_t)site ^ nslots) * TM_HASH_GOLDEN;
  h = nslots > LANE_SLOTS ? hash_deep(h, slots, nslots)
                          : hash_chain(h, slots, nslots);
  h ^= h >> 29;
  return h | 1;
}

int tm_traceback_cache_find(tm_site_t site, unsigned int limit,
                            tm_traceback_probe *probe, uint32_t *id) {
  probe->entry = NULL;
  struct thread_cache *cache = this_thread_cache();
  if (!cache)
    return 0;
  if (cache->limit != limit) {
    empty(cache);
    cache->limit = limit;
  }
  uint64_t nslots = tm_caller_slots(site);
  if (nslots > KEY_MAX_SLOTS)
    return 0;
  const tm_site_t *slots = __tm_shadow.slots;
  uint64_t hash = hash_key(site, slots, (uint32_t)nslots);
  struct cache_entry *set = &cache->entries[(hash >> 1) & (CACHE_SETS - 1)][0];
  *probe = (tm_traceback_probe){
      .entry = set, .site = site, .hash = hash, .nslots = (uint32_t)nslots};
  for (unsigned int way = 0; way < CACHE_WAYS; way++) {
    struct cache_entry *entry = &set[way];
    if (entry->hash == hash && entry->site == site && entry->nslots == nslots &&
        tm_same_sites(cache->pool + entry->key_offset, slots,
                      (unsigned int)nslots)) {
      *id = entry->id;
      return 1;
    }
  }
  return 0;
}

int tm_traceback_cache_current_locked(void) {
  return thread_cache && thread_cache->epoch == tm_traceback_epoch();
}

static uint32_t room_for(uint32_t nslots) {
  /* Rounded up, so that a slightly longer key reuses the room. */
  return (nslots + 7u) & ~7u;
}

/* The pool is full: move the keys in use to a new one, twice their size
 * (up to POOL_MAX_SLOTS), leaving behind the room of replaced keys. When
 * they fill it even so, or no pages can be mapped, the cache starts over. */
static void compact(struct thread_cache *cache) {
  uint64_t live = 0;
  struct cache_entry *entries = &cache->entries[0][0];
  for (uint32_t i = 0; i < CACHE_SETS * CACHE_WAYS; i++)
    if (entries[i].hash)
      live += room_for(entries[i].nslots);
  uint32_t size = POOL_INITIAL_SLOTS;
  while (size < 2 * live && size < POOL_MAX_SLOTS)
    size *= 2;
  tm_site_t *pool = size >= 2 * live ? tm_os_map(size * sizeof(tm_site_t)) : 0;
  if (!pool) {
    empty(cache);
    return;
  }
  uint32_t used = 0;
  for (uint32_t i = 0; i < CACHE_SETS * CACHE_WAYS; i++) {
    struct cache_entry *entry = &entries[i];
    if (!entry->hash) {
      entry->room = 0;
      continue;
    }
    memcpy(pool + used, cache->pool + entry->key_offset,
           entry->nslots * sizeof(tm_site_t));
    entry->key_offset = used;
    entry->room = (uint16_t)room_for(entry->nslots);
    used += entry->room;
  }
  tm_os_unmap(cache->pool, cache->pool_size * sizeof(tm_site_t));
  cache->pool = pool;
  cache->pool_size = size;
  cache->pool_used = used;
}

/* Room for a key in the pool: its offset, or -1 when there is none. */
static int64_t reserve(struct thread_cache *cache, uint32_t room) {
  if (cache->pool_size - cache->pool_used < room)
    compact(cache);
  if (cache->pool_size - cache->pool_used < room)
    return -1;
  uint32_t offset = cache->pool_used;
  cache->pool_used += room;
  return offset;
}

void tm_traceback_cache_store_locked(const tm_traceback_probe *probe,
                                     uint32_t id) {
  struct thread_cache *cache = thread_cache;
  struct cache_entry *entry = probe->entry;
  if (!entry || !cache)
    return;
  uint64_t epoch = tm_traceback_epoch();
  if (cache->epoch != epoch) {
    empty(cache);
    cache->epoch = epoch;
  }
  /* The new key goes first in its set; the others move down one way, and
   * the last one is evicted (its room goes to the new key). */
  struct cache_entry evicted = entry[CACHE_WAYS - 1];
  memmove(entry + 1, entry, (CACHE_WAYS - 1) * sizeof(*entry));
  *entry = evicted;
  if (entry->room < probe->nslots) {
    /* The entry's old key may move in compact(): forget it first. */
    entry->hash = 0;
    uint32_t room = room_for(probe->nslots);
    int64_t offset = reserve(cache, room);
    if (offset < 0)
      return;
    entry->key_offset = (uint32_t)offset;
    entry->room = (uint16_t)room;
  }
  memcpy(cache->pool + entry->key_offset, __tm_shadow.slots,
         probe->nslots * sizeof(tm_site_t));
  entry->hash = probe->hash;
  entry->site = probe->site;
  entry->nslots = (uint16_t)probe->nslots;
  entry->id = id;
}
