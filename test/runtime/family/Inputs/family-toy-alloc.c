/*
 * A toy allocator family over malloc, for the family-*.c tests: compiled
 * with the plugin and Inputs/family-toy.tmconf, each definition records
 * its block in domain 5 (arena_alloc: 6) with the caller's traceback; the
 * malloc each one makes inside is not recorded a second time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

void *my_malloc(size_t size) { return malloc(size); }

void *my_calloc(size_t nmemb, size_t size) { return calloc(nmemb, size); }

/* Like CPython's PyMem_Realloc: size 0 gives a (1-byte) block and keeps
 * nothing of the old one; failure (here: over 1 GiB) leaves the old block
 * alone and sets errno. */
void *my_realloc(void *ptr, size_t size) {
  if (size > ((size_t)1 << 30)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(ptr, size ? size : 1);
}

void my_free(void *ptr) { free(ptr); }

/* A leaf allocator: a bump pointer in a static arena, no calls at all. */
static _Alignas(16) char arena[1 << 16];
static size_t arena_used;

void *arena_alloc(size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (size > sizeof(arena) - arena_used)
    return NULL;
  void *block = arena + arena_used;
  arena_used += size;
  return block;
}
