/*
 * raw_memory.c - the C allocator for snapshots and the results handed to the
 * user (they are the user's to free with our *_free functions), with the
 * reentrancy flag held so that the tracer, when it runs in the same process,
 * never traces itself. The tracer's own tables take whole pages instead
 * (tracer/os_memory.c).
 */
#include "tm_common.h"

#include <stdlib.h>

_Thread_local int tm_reentrant;

void *tm_raw_malloc(size_t size) {
  int outer = tm_reentrant;
  tm_reentrant = 1;
  void *ptr = malloc(size);
  tm_reentrant = outer;
  return ptr;
}

void *tm_raw_calloc(size_t nmemb, size_t size) {
  int outer = tm_reentrant;
  tm_reentrant = 1;
  void *ptr = calloc(nmemb, size);
  tm_reentrant = outer;
  return ptr;
}

void *tm_raw_realloc(void *ptr, size_t size) {
  int outer = tm_reentrant;
  tm_reentrant = 1;
  void *result = realloc(ptr, size);
  tm_reentrant = outer;
  return result;
}

void tm_raw_free(void *ptr) {
  int outer = tm_reentrant;
  tm_reentrant = 1;
  free(ptr);
  tm_reentrant = outer;
}

static void *raw_allocate(size_t size) { return tm_raw_calloc(1, size); }

static void raw_release(void *ptr, size_t size) {
  (void)size;
  tm_raw_free(ptr);
}

const tm_allocator tm_raw_allocator = {raw_allocate, raw_release};
