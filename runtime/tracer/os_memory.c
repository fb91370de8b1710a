/*
 * os_memory.c - whole pages from mmap for the tracer's own tables (traces,
 * tracebacks, frame buffers): they never depend on, recurse into or perturb
 * the allocator being traced, and their size is exactly what
 * tracemalloc_get_tracemalloc_memory() reports. Regions (tracer.h) are the
 * trace table's: reserved address space that a table grows in.
 */
#include "tracer.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static _Atomic size_t os_mapped_bytes;

/* Anonymous private pages, or NULL; errno as it was. */
static void *map_anonymous(size_t size, int prot) {
  int saved_errno = errno;
  void *ptr = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  errno = saved_errno;
  return ptr == MAP_FAILED ? NULL : ptr;
}

void *tm_os_map(size_t size) {
  void *ptr = map_anonymous(size, PROT_READ | PROT_WRITE);
  if (ptr)
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

/* ---- Regions ---- */

static size_t page_size(void) {
  static _Atomic size_t cached;
  size_t size = atomic_load_explicit(&cached, memory_order_relaxed);
  if (!size) {
    long queried = sysconf(_SC_PAGESIZE);
    size = queried > 0 ? (size_t)queried : 4096;
    atomic_store_explicit(&cached, size, memory_order_relaxed);
  }
  return size;
}

static size_t whole_pages(size_t size) {
  size_t page = page_size();
  return size > SIZE_MAX - page ? 0 : (size + page - 1) / page * page;
}

int tm_os_region_reserve(tm_os_region *region, size_t size) {
  size = whole_pages(size);
  if (!size)
    return -1;
  /* No access, so not charged as memory: mprotect charges what is
   * committed, and fails as mmap would when it cannot be had. */
  void *base = map_anonymous(size, PROT_NONE);
  if (!base)
    return -1;
  *region = (tm_os_region){.base = base, .reserved = size, .committed = 0};
  return 0;
}

int tm_os_region_commit(tm_os_region *region, size_t size) {
  if (size <= region->committed)
    return 0;
  size = whole_pages(size);
  if (!size || size > region->reserved)
    return -1;
  int saved_errno = errno;
  char *from = region->base + region->committed;
  size_t added = size - region->committed;
  int status = mprotect(from, added, PROT_READ | PROT_WRITE);
#ifdef MADV_POPULATE_WRITE
  /* The kernel fills the pages in one call instead of one page fault
   * each: the trace table writes all over them as it moves its traces in
   * (with MAP_POPULATE on each new table, a program filling a million live
   * blocks took 2.6 times fewer page faults and a tenth less time). A
   * kernel without it faults the pages in as they are written. */
  if (status == 0)
    madvise(from, added, MADV_POPULATE_WRITE);
#endif
  errno = saved_errno;
  if (status != 0)
    return -1;
  region->committed = size;
  atomic_fetch_add_explicit(&os_mapped_bytes, added, memory_order_relaxed);
  return 0;
}

void tm_os_region_release(tm_os_region *region) {
  if (!region->base)
    return;
  int saved_errno = errno;
  munmap(region->base, region->reserved);
  errno = saved_errno;
  atomic_fetch_sub_explicit(&os_mapped_bytes, region->committed,
                            memory_order_relaxed);
  *region = (tm_os_region){0};
}

int tm_os_address_space_limited(void) {
  int saved_errno = errno;
  struct rlimit limit;
  int limited =
      getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur != RLIM_INFINITY;
  errno = saved_errno;
  return limited;
}
