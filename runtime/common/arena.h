/*
 * arena.h - many small objects, freed all at once.
 *
 * A snapshot may hold millions of strings, frames and tracebacks, and a
 * statistics run one group per distinct key: carving them out of large
 * chunks costs a pointer bump each, and freeing them one free per chunk.
 * The chunks come from tm_raw_malloc. (The traceback depot keeps an arena
 * of its own, of mapped pages that stay until the next reset.)
 */
#ifndef TM_ARENA_H
#define TM_ARENA_H

#include "tm_common.h"

#include <stdint.h>

typedef struct tm_arena_chunk tm_arena_chunk;

/* All zero is an empty arena. */
typedef struct tm_arena {
  tm_arena_chunk *chunks; /* newest first */
  char *next;             /* free space in the newest chunk */
  size_t left;
} tm_arena;

enum { TM_ARENA_ALIGN = 8 }; /* enough for every object we store */

/* tm_arena_alloc when the newest chunk is full: a new one. */
TM_HIDDEN void *tm_arena_alloc_slow(tm_arena *arena, size_t size);

/* size bytes aligned for any object the runtime stores, not zeroed; NULL
 * when out of memory (the caller sets the error message). Inline: a
 * snapshot of a million tracebacks makes as many objects, and the common
 * case is a pointer bump. */
static inline void *tm_arena_alloc(tm_arena *arena, size_t size) {
  size_t rounded = (size + TM_ARENA_ALIGN - 1) & ~(size_t)(TM_ARENA_ALIGN - 1);
  if (rounded < size || rounded > arena->left) /* overflow, or full */
    return tm_arena_alloc_slow(arena, size);
  void *ptr = arena->next;
  arena->next += rounded;
  arena->left -= rounded;
  return ptr;
}
/* Every object at once; the arena is empty again. */
TM_HIDDEN void tm_arena_free(tm_arena *arena);

#endif /* TM_ARENA_H */
