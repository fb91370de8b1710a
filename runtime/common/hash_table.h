/*
 * hash_table.h - the runtime's hash table: a set of pointers to the
 * caller's entries, found by hash and the caller's equality.
 *
 * Open addressing with linear probing over a power-of-two array kept at
 * most half full, as CPython's dicts and sets. Each slot keeps its entry's
 * hash next to the pointer, so a probe compares whole hashes before it
 * follows the pointer into the entry (one cache miss saved per collision),
 * and growing never recomputes a hash. Entries are never removed: every
 * user builds a table, reads it, and frees it whole.
 *
 * The table stores pointers, not entries: the caller keeps them where it
 * likes (an arena, an array it sized in advance), and the slot stays 16
 * bytes whatever the entry. Its memory comes from the allocator the caller
 * names (tm_common.h): the snapshot library's tables use tm_raw_allocator,
 * the traceback depot's use mapped pages, since it runs inside the allocator
 * it traces.
 *
 * Used by the snapshot builder (strings, frames, tracebacks), statistics and
 * compare (groups), the source line cache, the depot's copies of unloaded
 * modules' sites, and the CLI's per-domain totals and export numbering.
 * Two tables differ, and say why where they are: the trace table
 * (tracer/trace_table.c) and the depot's id table (tracer/traceback.c).
 */
#ifndef TM_HASH_TABLE_H
#define TM_HASH_TABLE_H

#include "hash.h"
#include "tm_common.h"

typedef struct tm_hash_slot {
  uint64_t hash;
  void *entry; /* NULL: empty */
} tm_hash_slot;

typedef struct tm_hash_table {
  tm_hash_slot *slots;
  size_t mask; /* capacity - 1 */
  size_t used;
  const tm_allocator *allocator;
} tm_hash_table;

/* Room for expected entries before the first growth. 0, or -1 when out of
 * memory (the table is then empty and fini is harmless). */
TM_HIDDEN int tm_hash_table_init(tm_hash_table *table, size_t expected,
                                 const tm_allocator *allocator);
TM_HIDDEN void tm_hash_table_fini(tm_hash_table *table);

/* Fill the empty slot that tm_hash_table_find returned with entry (not
 * NULL); grows the table, which moves the slots, when it would be more than
 * half full. 0, or -1 when out of memory (the table is unchanged). */
TM_HIDDEN int tm_hash_table_insert(tm_hash_table *table, tm_hash_slot *slot,
                                   uint64_t hash, void *entry);

/* The slot holding an entry equal to key, or the empty slot where it would
 * go. static inline so that each caller's equal() is inlined: it runs once
 * per lookup at least, a million times for a `tracemalloc top`. */
static inline tm_hash_slot *
tm_hash_table_find(const tm_hash_table *table, uint64_t hash,
                   int (*equal)(const void *entry, const void *key),
                   const void *key) {
  size_t i = (size_t)hash & table->mask;
  for (;;) {
    tm_hash_slot *slot = &table->slots[i];
    if (!slot->entry || (slot->hash == hash && equal(slot->entry, key)))
      return slot;
    i = (i + 1) & table->mask;
  }
}

/* Iteration, in no particular order: the first full slot after `after`
 * (from the start when after is NULL), or NULL past the last one.
 *   for (slot = tm_hash_table_next(t, NULL); slot;
 *        slot = tm_hash_table_next(t, slot)) */
static inline tm_hash_slot *tm_hash_table_next(const tm_hash_table *table,
                                               const tm_hash_slot *after) {
  size_t i = after ? (size_t)(after - table->slots) + 1 : 0;
  for (; table->slots && i <= table->mask; i++)
    if (table->slots[i].entry)
      return &table->slots[i];
  return NULL;
}

#endif /* TM_HASH_TABLE_H */
