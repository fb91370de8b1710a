/*
 * traceback.c - the traceback depot.
 *
 * Tracebacks are hash-consed, as in CPython's tracemalloc and in
 * sanitizer_common's stack depot: a program has few distinct tracebacks and
 * many blocks, so each trace holds a 32-bit id of an immutable, shared
 * traceback. Ids are dense (0, 1, 2, ...), which lets a snapshot map them
 * with a plain array.
 *
 * Lookups are lock-free: the hash table and the id -> traceback array are
 * published with release stores and never modified in place except to fill
 * an empty slot; when they grow, the old copies stay mapped until the next
 * reset, so a reader holding one still reads valid data. Inserts take the
 * depot lock. Resets happen with every trace-table shard locked, and interns
 * happen with one of them held, so no thread can be inside the depot then.
 */
#include "tracer.h"

#include "hash_table.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* Pages the depot has mapped, to give back at reset. Each mapping starts
 * with this header. */
struct mapping {
  struct mapping *next;
  size_t size;
};

/* Open-addressing set of ids; a slot holds id + 1, 0 when empty.
 *
 * Not the runtime's hash table (hash_table.h), because lookups here take
 * no lock and run on every allocation whose traceback is not the last one
 * seen: a slot is an atomic 4 bytes, filled once and never changed, and a
 * grown table is published whole while the old one stays mapped until the
 * next reset, for the readers still in it -- the shared table frees its old
 * array when it grows. The hash lives in the traceback, not in the slot: a
 * lookup reads the traceback anyway to compare its frames, and the slots
 * stay a quarter of the shared table's. */
struct id_table {
  size_t capacity; /* a power of two */
  _Atomic uint32_t slots[];
};

/* id -> traceback. */
struct id_array {
  size_t capacity;
  const tm_traceback *_Atomic items[];
};

#define ARENA_CHUNK_SIZE ((size_t)1 << 20)
#define INITIAL_TABLE_CAPACITY 1024u
#define INITIAL_ARRAY_CAPACITY 1024u

/* A pthread mutex, not the trace table's futex lock (trace_table.c): it is
 * taken only to insert a traceback not seen before, so its cost does not
 * show. fork and dlclose take it after the others (tm_traceback_lock). */
static pthread_mutex_t depot_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mapping *mappings;
static _Atomic(struct id_table *) current_table;
static _Atomic(struct id_array *) current_array;
static _Atomic uint32_t traceback_count;
static char *arena_next;
static size_t arena_left;
/* Written with every shard lock held (tm_traceback_epoch). */
static uint64_t epoch;

static void *map_tracked(size_t size) {
  struct mapping *m = tm_os_map(size + sizeof(struct mapping));
  if (!m)
    return NULL;
  m->size = size + sizeof(struct mapping);
  m->next = mappings;
  mappings = m;
  return m + 1;
}

static void *arena_alloc(size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (size > arena_left) {
    size_t chunk = size > ARENA_CHUNK_SIZE ? size : ARENA_CHUNK_SIZE;
    char *mem = map_tracked(chunk);
    if (!mem)
      return NULL;
    arena_next = mem;
    arena_left = chunk;
  }
  void *result = arena_next;
  arena_next += size;
  arena_left -= size;
  return result;
}

uint32_t tm_traceback_hash(const tm_site_t *frames, unsigned int nframe,
                           unsigned int total_nframe) {
  /* One xor and one multiply per frame (twenty of them per allocation at
   * nframe=25); a multiply carries entropy only upward, so the end folds
   * the high half into the low one, which picks the depot slot. */
  uint64_t h = TM_HASH_FNV_BASIS ^ total_nframe;
  for (unsigned int i = 0; i < nframe; i++)
    h = (h ^ (uintptr_t)frames[i]) * TM_HASH_GOLDEN;
  h ^= h >> 32;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 29;
  return (uint32_t)h;
}

const tm_traceback *tm_traceback_get(uint32_t id) {
  struct id_array *array =
      atomic_load_explicit(&current_array, memory_order_acquire);
  return atomic_load_explicit(&array->items[id], memory_order_acquire);
}

uint32_t tm_traceback_count(void) {
  return atomic_load_explicit(&traceback_count, memory_order_acquire);
}

static int same_frames(const tm_traceback *tb, const tm_site_t *frames,
                       unsigned int nframe, unsigned int total_nframe,
                       uint32_t hash) {
  if (tb->hash != hash || tb->nframe != nframe ||
      tb->total_nframe != total_nframe)
    return 0;
  return tm_same_sites(tb->frames, frames, nframe);
}

static int find_in(const struct id_table *table, const tm_site_t *frames,
                   unsigned int nframe, unsigned int total_nframe,
                   uint32_t hash, uint32_t *id) {
  if (!table)
    return 0;
  size_t mask = table->capacity - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t slot =
        atomic_load_explicit(&table->slots[i], memory_order_acquire);
    if (slot == 0)
      return 0;
    if (same_frames(tm_traceback_get(slot - 1), frames, nframe, total_nframe,
                    hash)) {
      *id = slot - 1;
      return 1;
    }
  }
}

static void place(struct id_table *table, uint32_t hash, uint32_t id) {
  size_t mask = table->capacity - 1;
  size_t i = hash & mask;
  while (atomic_load_explicit(&table->slots[i], memory_order_relaxed))
    i = (i + 1) & mask;
  atomic_store_explicit(&table->slots[i], id + 1, memory_order_release);
}

/* Keep the table at most half full; grown tables are published whole. */
static struct id_table *table_for(uint32_t count) {
  struct id_table *table =
      atomic_load_explicit(&current_table, memory_order_relaxed);
  if (table && (size_t)(count + 1) * 2 <= table->capacity)
    return table;
  size_t capacity = table ? table->capacity * 2 : INITIAL_TABLE_CAPACITY;
  struct id_table *grown =
      map_tracked(sizeof(*grown) + capacity * sizeof(grown->slots[0]));
  if (!grown)
    return NULL;
  grown->capacity = capacity;
  for (uint32_t id = 0; id < count; id++)
    place(grown, tm_traceback_get(id)->hash, id);
  atomic_store_explicit(&current_table, grown, memory_order_release);
  return grown;
}

static struct id_array *array_for(uint32_t count) {
  struct id_array *array =
      atomic_load_explicit(&current_array, memory_order_relaxed);
  if (array && count < array->capacity)
    return array;
  size_t capacity = array ? array->capacity * 2 : INITIAL_ARRAY_CAPACITY;
  struct id_array *grown =
      map_tracked(sizeof(*grown) + capacity * sizeof(grown->items[0]));
  if (!grown)
    return NULL;
  grown->capacity = capacity;
  for (uint32_t id = 0; id < count; id++)
    atomic_store_explicit(
        &grown->items[id],
        atomic_load_explicit(&array->items[id], memory_order_relaxed),
        memory_order_relaxed);
  atomic_store_explicit(&current_array, grown, memory_order_release);
  return grown;
}

static int insert_locked(const tm_site_t *frames, unsigned int nframe,
                         unsigned int total_nframe, uint32_t hash,
                         uint32_t *id) {
  uint32_t count = atomic_load_explicit(&traceback_count, memory_order_relaxed);
  if (count == UINT32_MAX)
    return -1;
  struct id_array *array = array_for(count);
  struct id_table *table = table_for(count);
  tm_traceback *tb = arena_alloc(sizeof(*tb) + nframe * sizeof(*frames));
  if (!array || !table || !tb)
    return -1;
  tb->hash = hash;
  tb->nframe = (uint16_t)nframe;
  tb->total_nframe = (uint16_t)total_nframe;
  memcpy(tb->frames, frames, nframe * sizeof(*frames));
  atomic_store_explicit(&array->items[count], tb, memory_order_release);
  atomic_store_explicit(&traceback_count, count + 1, memory_order_release);
  place(table, hash, count);
  *id = count;
  return 0;
}

int tm_traceback_intern(const tm_site_t *frames, unsigned int nframe,
                        unsigned int total_nframe, uint32_t hash,
                        uint32_t *id) {
  if (find_in(atomic_load_explicit(&current_table, memory_order_acquire),
              frames, nframe, total_nframe, hash, id))
    return 0;
  pthread_mutex_lock(&depot_lock);
  /* Another thread may have inserted it, or grown the table, meanwhile. */
  int status = 0;
  if (!find_in(atomic_load_explicit(&current_table, memory_order_relaxed),
               frames, nframe, total_nframe, hash, id))
    status = insert_locked(frames, nframe, total_nframe, hash, id);
  pthread_mutex_unlock(&depot_lock);
  return status;
}

void tm_traceback_reset(void) {
  pthread_mutex_lock(&depot_lock);
  atomic_store_explicit(&current_table, NULL, memory_order_relaxed);
  atomic_store_explicit(&current_array, NULL, memory_order_relaxed);
  atomic_store_explicit(&traceback_count, 0, memory_order_relaxed);
  arena_next = NULL;
  arena_left = 0;
  while (mappings) {
    struct mapping *m = mappings;
    mappings = m->next;
    tm_os_unmap(m, m->size);
  }
  epoch++;
  pthread_mutex_unlock(&depot_lock);
}

uint64_t tm_traceback_epoch(void) { return epoch; }

/* ---- Unloaded modules ----
 * Frames are pointers to the site records the pass emitted, which live in
 * the module that made the call. When a shared library is dlclose()d its
 * records (and the file and function names they point to) are unmapped,
 * while the depot still holds tracebacks whose frames point there: a later
 * snapshot would read freed memory. So before the library goes, every such
 * frame is replaced by a copy of its record, with copied strings, in the
 * depot's arena (freed at the next reset, with the tracebacks using it).
 *
 * Tracebacks are otherwise immutable and read without the depot lock, so
 * this is done with every lock held (tm_forget_code): the frames of a
 * traceback are read only by
 *  - find_in()/same_frames(), lock-free, but only by tm_traceback_intern(),
 *    which runs with a shard lock held;
 *  - get_object_traceback, with a shard lock held;
 *  - take_snapshot's build_traceback(), with control_lock held (the shard
 *    locks are released by then).
 * Holding control_lock and every shard lock therefore excludes every reader.
 *
 * The hash of a rewritten traceback stays that of its old frames, and so
 * does its place in the id table. That is harmless: a lookup compares the
 * frames themselves after the hash, and no site passed to the runtime can
 * ever be one of our copies; if the library is loaded again at the same
 * address, its sites no longer match the rewritten tracebacks and new ones
 * are interned. Distinct records get distinct copies, so two tracebacks
 * never become equal.
 *
 * Nothing follows inlined_at from a stored frame (the depot stores every
 * frame of an inlined chain as a frame of its own); only whether it is set
 * still matters, to snapshots (a frame inlined into the next one), so the
 * copy's points at tm_unloaded_site, never into the unloaded code. If the
 * arena cannot grow, the frame becomes tm_unloaded_site rather than
 * dangle. */
static const struct __tm_site tm_unloaded_site = {
    .filename = "<unloaded module>", .function = "", .chain_depth = 1};

static int in_ranges(const void *ptr, const tm_code_range *ranges,
                     unsigned int nrange) {
  uintptr_t addr = (uintptr_t)ptr;
  for (unsigned int i = 0; i < nrange; i++)
    if (addr >= ranges[i].start && addr < ranges[i].end)
      return 1;
  return 0;
}

/* Original -> copy, for sites and strings alike (distinct objects have
 * distinct addresses): the runtime's hash table (hash_table.h) of pairs,
 * both on pages mapped for the call -- the depot never calls malloc, it
 * runs inside the allocator it traces. */
struct copy {
  const void *from;
  const void *to; /* NULL until made */
};

struct copy_map {
  tm_hash_table table; /* of struct copy */
  struct copy *copies; /* room for every site and string to copy */
  size_t ncopies, room;
};

static const tm_allocator os_pages = {tm_os_map, tm_os_unmap};

static int same_original(const void *entry, const void *key) {
  return ((const struct copy *)entry)->from == key;
}

/* Where the copy of from goes (NULL when there is no room). */
static const void **map_slot(struct copy_map *map, const void *from) {
  uint64_t hash = tm_hash_pointer(from);
  tm_hash_slot *slot =
      tm_hash_table_find(&map->table, hash, same_original, from);
  struct copy *copy = slot->entry;
  if (!copy) {
    copy = &map->copies[map->ncopies];
    if (map->ncopies == map->room ||
        tm_hash_table_insert(&map->table, slot, hash, copy) < 0)
      return NULL;
    map->ncopies++;
    *copy = (struct copy){from, NULL};
  }
  return &copy->to;
}

static const char *copy_string(struct copy_map *map, const char *text,
                               const tm_code_range *ranges,
                               unsigned int nrange) {
  if (!text || !in_ranges(text, ranges, nrange))
    return text;
  const void **to = map_slot(map, text);
  if (!to)
    return NULL;
  if (!*to) {
    size_t length = strlen(text) + 1;
    char *copy = arena_alloc(length);
    if (copy)
      *to = memcpy(copy, text, length);
  }
  return *to;
}

static tm_site_t copy_site(struct copy_map *map, tm_site_t site,
                           const tm_code_range *ranges, unsigned int nrange) {
  const void **to = map_slot(map, site);
  if (!to)
    return &tm_unloaded_site;
  if (*to)
    return *to;
  struct __tm_site *copy = arena_alloc(sizeof(*copy));
  if (!copy)
    return &tm_unloaded_site;
  *copy = *site;
  copy->inlined_at = site->inlined_at ? &tm_unloaded_site : NULL;
  copy->filename = copy_string(map, site->filename, ranges, nrange);
  copy->function = copy_string(map, site->function, ranges, nrange);
  if (!copy->filename)
    return &tm_unloaded_site; /* out of memory for the name */
  if (!copy->function && site->function)
    copy->function = "";
  *to = copy;
  return copy;
}

void tm_traceback_detach_locked(const tm_code_range *ranges,
                                unsigned int nrange) {
  /* Even when no frame points there: a per-thread cache may hold keys of
   * the module's records, which a module loaded later at the same address
   * would match (traceback_cache.c). */
  epoch++;
  uint32_t count = atomic_load_explicit(&traceback_count, memory_order_relaxed);
  /* Frames to copy, at most: sizes the map (each site brings at most two
   * strings). */
  size_t hits = 0;
  for (uint32_t id = 0; id < count; id++) {
    const tm_traceback *tb = tm_traceback_get(id);
    for (unsigned int i = 0; i < tb->nframe; i++)
      hits += in_ranges(tb->frames[i], ranges, nrange);
  }
  if (hits == 0)
    return;
  /* Sized for every copy up front, so that it never grows. */
  size_t most = hits * 3;
  struct copy_map map = {.copies = tm_os_map(most * sizeof(struct copy)),
                         .room = most};
  int mapped =
      map.copies && tm_hash_table_init(&map.table, most, &os_pages) == 0;
  for (uint32_t id = 0; id < count; id++) {
    tm_traceback *tb = (tm_traceback *)tm_traceback_get(id);
    for (unsigned int i = 0; i < tb->nframe; i++)
      if (in_ranges(tb->frames[i], ranges, nrange))
        tb->frames[i] = mapped ? copy_site(&map, tb->frames[i], ranges, nrange)
                               : &tm_unloaded_site;
  }
  tm_hash_table_fini(&map.table);
  tm_os_unmap(map.copies, most * sizeof(struct copy));
}

void tm_traceback_lock(void) { pthread_mutex_lock(&depot_lock); }

void tm_traceback_unlock(void) { pthread_mutex_unlock(&depot_lock); }
