/*
 * hash_table.c - growing the runtime's hash table (hash_table.h); finding
 * is inline in the header.
 */
#include "hash_table.h"

#include <stdint.h>

enum { MIN_CAPACITY = 16 };

static int table_allocate(tm_hash_table *table, size_t capacity,
                          const tm_allocator *allocator) {
  table->allocator = allocator;
  table->slots = capacity <= SIZE_MAX / sizeof(tm_hash_slot)
                     ? allocator->allocate(capacity * sizeof(tm_hash_slot))
                     : NULL;
  table->mask = table->slots ? capacity - 1 : 0;
  table->used = 0;
  return table->slots ? 0 : -1;
}

int tm_hash_table_init(tm_hash_table *table, size_t expected,
                       const tm_allocator *allocator) {
  size_t capacity = MIN_CAPACITY;
  while (capacity / 2 < expected && capacity < SIZE_MAX / 4)
    capacity *= 2;
  return table_allocate(table, capacity, allocator);
}

void tm_hash_table_fini(tm_hash_table *table) {
  if (table->slots)
    table->allocator->release(table->slots,
                              (table->mask + 1) * sizeof(tm_hash_slot));
  table->slots = NULL;
  table->mask = 0;
  table->used = 0;
}

/* Where an entry known to be absent goes. */
static tm_hash_slot *empty_slot(const tm_hash_table *table, uint64_t hash) {
  size_t i = (size_t)hash & table->mask;
  while (table->slots[i].entry)
    i = (i + 1) & table->mask;
  return &table->slots[i];
}

static int table_grow(tm_hash_table *table) {
  tm_hash_table bigger;
  size_t capacity = table->mask + 1;
  if (capacity > SIZE_MAX / 2 ||
      table_allocate(&bigger, capacity * 2, table->allocator) < 0)
    return -1;
  for (size_t i = 0; i < capacity; i++) {
    const tm_hash_slot *old = &table->slots[i];
    if (old->entry)
      *empty_slot(&bigger, old->hash) = *old;
  }
  bigger.used = table->used;
  tm_hash_table_fini(table);
  *table = bigger;
  return 0;
}

int tm_hash_table_insert(tm_hash_table *table, tm_hash_slot *slot,
                         uint64_t hash, void *entry) {
  if ((table->used + 1) * 2 > table->mask + 1) {
    if (table_grow(table) < 0)
      return -1;
    slot = empty_slot(table, hash);
  }
  slot->hash = hash;
  slot->entry = entry;
  table->used++;
  return 0;
}
