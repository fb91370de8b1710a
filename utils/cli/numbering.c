/*
 * numbering.c - numbers for the interned objects an export meets (frames,
 * functions, strings): 0, 1, 2, ... in the order they are first met.
 *
 * Interned objects are equal when their addresses are, so a key is a pair
 * of addresses (the second NULL when one is enough), kept in the runtime's
 * hash table (hash_table.h); the numbered keys live in an arena.
 */
#include "cli.h"

#include "arena.h"
#include "hash_table.h"

#include <stdlib.h>

typedef struct numbered_key {
  cli_key key;
  size_t number;
} numbered_key;

struct cli_numbering {
  tm_hash_table table; /* of numbered_key */
  tm_arena arena;
};

cli_numbering *cli_numbering_new(void) {
  cli_numbering *numbering = calloc(1, sizeof(*numbering));
  if (numbering &&
      tm_hash_table_init(&numbering->table, 32, &tm_raw_allocator) < 0) {
    free(numbering);
    return NULL;
  }
  return numbering;
}

void cli_numbering_free(cli_numbering *numbering) {
  if (!numbering)
    return;
  tm_hash_table_fini(&numbering->table);
  tm_arena_free(&numbering->arena);
  free(numbering);
}

static int same_key(const void *entry, const void *key) {
  const cli_key *a = &((const numbered_key *)entry)->key, *b = key;
  return a->first == b->first && a->second == b->second;
}

size_t cli_number(cli_numbering *numbering, const void *first,
                  const void *second) {
  cli_key key = {first, second};
  uint64_t hash = tm_hash_mix(tm_hash_integer((uintptr_t)first),
                              (uint64_t)(uintptr_t)second);
  tm_hash_slot *slot =
      tm_hash_table_find(&numbering->table, hash, same_key, &key);
  numbered_key *numbered = slot->entry;
  if (numbered)
    return numbered->number;
  numbered = tm_arena_alloc(&numbering->arena, sizeof(*numbered));
  if (!numbered)
    return CLI_NO_NUMBER;
  *numbered = (numbered_key){key, numbering->table.used};
  if (tm_hash_table_insert(&numbering->table, slot, hash, numbered) < 0)
    return CLI_NO_NUMBER;
  return numbered->number;
}

size_t cli_numbering_count(const cli_numbering *numbering) {
  return numbering->table.used;
}

cli_key *cli_numbering_keys(const cli_numbering *numbering) {
  cli_key *keys = malloc((numbering->table.used + 1) * sizeof(*keys));
  if (!keys)
    return NULL;
  for (tm_hash_slot *slot = tm_hash_table_next(&numbering->table, NULL); slot;
       slot = tm_hash_table_next(&numbering->table, slot)) {
    const numbered_key *numbered = slot->entry;
    keys[numbered->number] = numbered->key;
  }
  return keys;
}
