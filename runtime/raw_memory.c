/*
 * raw_memory.c - memory the runtime takes for itself.
 *
 * Two sources, for two reasons:
 *  - the tracer's own tables (traces, tracebacks) come from mmap, so they never
 *    depend on, recurse into or perturb the allocator being traced, and their
 *    size is exactly what tracemalloc_get_tracemalloc_memory() reports;
 *  - snapshots and the results handed to the user come from the C allocator
 *    (they are the user's to free with our *_free functions), with the
 *    reentrancy flag held so the tracer never traces itself.
 */
#include "tm_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

_Thread_local int tm_reentrant;

static _Atomic size_t os_mapped_bytes;

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

void *tm_os_map(size_t size) {
  int saved_errno = errno;
  void *ptr =
      mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
           0);
  errno = saved_errno;
  if (ptr == MAP_FAILED)
    return NULL;
  atomic_fetch_add_explicit(&os_mapped_bytes, size, memory_order_relaxed);
  return ptr;
}

void tm_os_unmap(void *ptr, size_t size) {
  if (!ptr)
    return;
  int saved_errno = errno;
  munmap(ptr, size);
  errno = saved_errno;
  atomic_fetch_sub_explicit(&os_mapped_bytes, size, memory_order_relaxed);
}

size_t tm_os_mapped_bytes(void) {
  return atomic_load_explicit(&os_mapped_bytes, memory_order_relaxed);
}
