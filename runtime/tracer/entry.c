/*
 * entry.c - the C allocation functions as the pass calls them.
 *
 * Each entry point calls the real function first and records afterwards, so
 * the program gets exactly the result and errno the allocator gave (the
 * recording functions preserve errno). A free holds its trace's shard lock
 * across the real free (tm_untrack_begin/end): once a block is freed another
 * thread may be handed the same address and record it, and an untrack that
 * came after that would drop the new block's trace. The real
 * call runs between tm_enter() and tm_leave(), so the interposed allocator
 * (interpose.c) does not record the block a second time; malloc, calloc,
 * realloc and free are called through tm_real_malloc_family (tracer.h),
 * which skips the interposed ones where they would only pass the call on.
 */
#include "realloc.h"
#include "tracer.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* The C library's domain, as in Python (domain 0). */
#define LIBC_DOMAIN 0u

tm_malloc_family tm_real_malloc_family = {malloc, calloc, realloc, free};

#define REAL(NAME)                                                             \
  __atomic_load_n(&tm_real_malloc_family.NAME, __ATOMIC_RELAXED)

static void *record(int trace, void *ptr, size_t size, tm_site_t site) {
  if (trace && ptr)
    tm_record_alloc(LIBC_DOMAIN, ptr, size, site);
  return ptr;
}

void *__tm_malloc(size_t size, tm_site_t site) {
  int trace = tm_enter();
  void *ptr = REAL(malloc)(size);
  tm_leave();
  return record(trace, ptr, size, site);
}

void *__tm_calloc(size_t nmemb, size_t size, tm_site_t site) {
  int trace = tm_enter();
  void *ptr = REAL(calloc)(nmemb, size);
  tm_leave();
  /* On overflow calloc returns NULL and nothing is recorded. */
  return record(trace, ptr, nmemb * size, site);
}

void __tm_free(void *ptr, tm_site_t site) {
  (void)site;
  if (tm_enter() && ptr)
    tm_free_untracking(LIBC_DOMAIN, ptr, REAL(free));
  else
    REAL(free)(ptr);
  tm_leave();
}

void *__tm_realloc(void *ptr, size_t size, tm_site_t site) {
  int trace = tm_enter();
  tm_realloc_call call;
  if (trace)
    tm_realloc_begin(&call, LIBC_DOMAIN, ptr);
  void *result = REAL(realloc)(ptr, size);
  tm_leave();
  if (trace)
    tm_realloc_end(&call, result, size, TM_LIBC_REALLOC_ZERO_FREES, site);
  return result;
}

void *__tm_reallocarray(void *ptr, size_t nmemb, size_t size, tm_site_t site) {
  /* On overflow reallocarray fails (ENOMEM) and leaves the block alone:
   * its trace stays where it is. */
  size_t total;
  int overflow = __builtin_mul_overflow(nmemb, size, &total);
  int trace = tm_enter() && !overflow;
  tm_realloc_call call;
  if (trace)
    tm_realloc_begin(&call, LIBC_DOMAIN, ptr);
  void *result = reallocarray(ptr, nmemb, size);
  tm_leave();
  if (trace)
    tm_realloc_end(&call, result, total, TM_LIBC_REALLOC_ZERO_FREES, site);
  return result;
}

void *__tm_aligned_alloc(size_t alignment, size_t size, tm_site_t site) {
  int trace = tm_enter();
  void *ptr = aligned_alloc(alignment, size);
  tm_leave();
  return record(trace, ptr, size, site);
}

int __tm_posix_memalign(void **memptr, size_t alignment, size_t size,
                        tm_site_t site) {
  int trace = tm_enter();
  int status = posix_memalign(memptr, alignment, size);
  tm_leave();
  if (status == 0)
    record(trace, *memptr, size, site);
  return status;
}

void *__tm_memalign(size_t alignment, size_t size, tm_site_t site) {
  int trace = tm_enter();
  void *ptr = memalign(alignment, size);
  tm_leave();
  return record(trace, ptr, size, site);
}

void *__tm_valloc(size_t size, tm_site_t site) {
  int trace = tm_enter();
  void *ptr = valloc(size);
  tm_leave();
  return record(trace, ptr, size, site);
}

void *__tm_pvalloc(size_t size, tm_site_t site) {
  int trace = tm_enter();
  void *ptr = pvalloc(size);
  tm_leave();
  return record(trace, ptr, size, site);
}

/* The size of a copied string is what was allocated for it. */
static char *record_string(int trace, char *copy, tm_site_t site) {
  return record(trace, copy, copy ? strlen(copy) + 1 : 0, site);
}

char *__tm_strdup(const char *s, tm_site_t site) {
  int trace = tm_enter();
  char *copy = strdup(s);
  tm_leave();
  return record_string(trace, copy, site);
}

char *__tm_strndup(const char *s, size_t n, tm_site_t site) {
  int trace = tm_enter();
  char *copy = strndup(s, n);
  tm_leave();
  return record_string(trace, copy, site);
}

/* Every entry point and family hook of abi.def is defined, here or in
 * entry_cxx.c and family.c: a contract entry without a definition fails to
 * link the shared runtime (-z defs) instead of the programs that call it. */
typedef void (*tm_entry_point)(void);
__attribute__((used)) static const tm_entry_point defined_entry_points[] = {
#define TM_ENTRY_POINT(NAME, RUNTIME_NAME, ROLE, RETURN, PARAMS)               \
  (tm_entry_point) RUNTIME_NAME,
#define TM_FAMILY_HOOK(NAME, RETURN, PARAMS) (tm_entry_point) NAME,
#include "tracemalloc/abi.def"
};
