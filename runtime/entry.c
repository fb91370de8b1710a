/*
 * entry.c - the C allocation functions as the pass calls them.
 *
 * Each entry point calls the real function first and records afterwards, so
 * the program gets exactly the result and errno the allocator gave (the
 * recording functions preserve errno). Frees untrack before freeing: once a
 * block is freed another thread may be handed the same address and record
 * it, and a late untrack would then drop the new block's trace.
 */
#include "tm_internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

/* The C library's domain, as in Python (domain 0). */
#define LIBC_DOMAIN 0u

static void *traced(void *ptr, size_t size, tm_site_t site) {
  if (ptr && tm_should_trace())
    tm_record_alloc(LIBC_DOMAIN, ptr, size, site);
  return ptr;
}

void *__tm_malloc(size_t size, tm_site_t site) {
  return traced(malloc(size), size, site);
}

void *__tm_calloc(size_t nmemb, size_t size, tm_site_t site) {
  /* On overflow calloc returns NULL and nothing is recorded. */
  return traced(calloc(nmemb, size), nmemb * size, site);
}

void __tm_free(void *ptr, tm_site_t site) {
  (void)site;
  if (ptr && tm_should_trace())
    tm_record_free(LIBC_DOMAIN, ptr);
  free(ptr);
}

void *__tm_realloc(void *ptr, size_t size, tm_site_t site) {
  if (!tm_should_trace())
    return realloc(ptr, size);
  tm_saved_trace saved;
  tm_record_realloc_begin(LIBC_DOMAIN, ptr, &saved);
  void *result = realloc(ptr, size);
  /* glibc's realloc(p, 0) frees p and returns NULL. */
  tm_record_realloc_end(&saved, result, size, ptr && size == 0 && !result,
                        site);
  return result;
}

void *__tm_reallocarray(void *ptr, size_t nmemb, size_t size, tm_site_t site) {
  if (!tm_should_trace())
    return reallocarray(ptr, nmemb, size);
  size_t total;
  int overflow = __builtin_mul_overflow(nmemb, size, &total);
  tm_saved_trace saved;
  tm_record_realloc_begin(LIBC_DOMAIN, ptr, &saved);
  void *result = reallocarray(ptr, nmemb, size);
  tm_record_realloc_end(&saved, result, total,
                        ptr && !overflow && total == 0 && !result, site);
  return result;
}

void *__tm_aligned_alloc(size_t alignment, size_t size, tm_site_t site) {
  return traced(aligned_alloc(alignment, size), size, site);
}

int __tm_posix_memalign(void **memptr, size_t alignment, size_t size,
                        tm_site_t site) {
  int status = posix_memalign(memptr, alignment, size);
  if (status == 0)
    traced(*memptr, size, site);
  return status;
}

void *__tm_memalign(size_t alignment, size_t size, tm_site_t site) {
  return traced(memalign(alignment, size), size, site);
}

void *__tm_valloc(size_t size, tm_site_t site) {
  return traced(valloc(size), size, site);
}

void *__tm_pvalloc(size_t size, tm_site_t site) {
  return traced(pvalloc(size), size, site);
}

/* The size of a copied string is what was allocated for it. */
static char *traced_string(char *copy, tm_site_t site) {
  if (copy && tm_should_trace())
    tm_record_alloc(LIBC_DOMAIN, copy, strlen(copy) + 1, site);
  return copy;
}

char *__tm_strdup(const char *s, tm_site_t site) {
  return traced_string(strdup(s), site);
}

char *__tm_strndup(const char *s, size_t n, tm_site_t site) {
  return traced_string(strndup(s, n), site);
}
