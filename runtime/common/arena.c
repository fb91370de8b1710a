/*
 * arena.c - many small objects in large chunks (arena.h).
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>

struct tm_arena_chunk {
  tm_arena_chunk *prev;
  alignas(max_align_t) char data[];
};

enum {
  ARENA_CHUNK_SIZE = 256 * 1024, /* amortises malloc to nothing */
  ARENA_BIG_OBJECT = 64 * 1024,  /* larger requests get their own chunk */
};

static tm_arena_chunk *arena_new_chunk(size_t size) {
  if (size > SIZE_MAX - sizeof(tm_arena_chunk))
    return NULL;
  return tm_raw_malloc(sizeof(tm_arena_chunk) + size);
}

void *tm_arena_alloc_slow(tm_arena *arena, size_t size) {
  if (size > SIZE_MAX - TM_ARENA_ALIGN)
    return NULL;
  size = (size + TM_ARENA_ALIGN - 1) & ~(size_t)(TM_ARENA_ALIGN - 1);
  if (size > ARENA_BIG_OBJECT) {
    /* Keep the current chunk for the small objects that follow. */
    tm_arena_chunk *chunk = arena_new_chunk(size);
    if (!chunk)
      return NULL;
    if (arena->chunks) {
      chunk->prev = arena->chunks->prev;
      arena->chunks->prev = chunk;
    } else {
      chunk->prev = NULL;
      arena->chunks = chunk;
    }
    return chunk->data;
  }
  tm_arena_chunk *chunk = arena_new_chunk(ARENA_CHUNK_SIZE);
  if (!chunk)
    return NULL;
  chunk->prev = arena->chunks;
  arena->chunks = chunk;
  arena->next = chunk->data + size;
  arena->left = ARENA_CHUNK_SIZE - size;
  return chunk->data;
}

void tm_arena_free(tm_arena *arena) {
  tm_arena_chunk *chunk = arena->chunks;
  while (chunk) {
    tm_arena_chunk *prev = chunk->prev;
    tm_raw_free(chunk);
    chunk = prev;
  }
  arena->chunks = NULL;
  arena->next = NULL;
  arena->left = 0;
}
