/*
 * realloc.h - the bookkeeping of a realloc, for every caller that sees one:
 * the C entry points (entry.c), the interposed realloc of uninstrumented code
 * (interpose.c) and the allocator families (family.c).
 *
 *   tm_realloc_call call;
 *   tm_realloc_begin(&call, domain, ptr);
 *   result = the real realloc(ptr, size);
 *   tm_realloc_end(&call, result, size, zero_frees, site);
 *
 * The old block's trace is taken out before the call: as soon as realloc
 * has freed the old block, another thread may be handed its address and
 * record it, and a late removal would drop that thread's trace. After the
 * call, one rule:
 *  - a result: the block now lives there, with size and the traceback of
 *    site; the old trace is gone (even when the address is the same);
 *  - NULL, and the call freed the block (zero_frees, size 0): nothing;
 *  - NULL otherwise: the call failed and the old block lives on, so its
 *    trace is put back as it was (unless tracing stopped or the traces
 *    were cleared meanwhile).
 * A NULL ptr has no trace: the call is a malloc. Both functions keep errno.
 * For the allocation counters (alloc_counts.c), the first two free the old
 * block, as heaptrack sees a realloc: temporary when it was the thread's
 * last allocation.
 *
 * Static inline: they are on the realloc path, and each costs the caller
 * one call into tracer.c, as an allocation does.
 */
#ifndef TM_REALLOC_H
#define TM_REALLOC_H

#include "tracer.h"

/* glibc's realloc(p, 0) frees p and returns NULL (and so does the
 * reallocarray that calls it). */
#define TM_LIBC_REALLOC_ZERO_FREES 1

/* One realloc under way. The allocator families keep it in the wrapper's
 * struct __tm_family_realloc_state, between their begin and end. */
typedef struct tm_realloc_call {
  tm_taken_trace old; /* valid when old_traced */
  unsigned int domain;
  int old_traced; /* ptr had a trace, now taken out */
} tm_realloc_call;

static inline void tm_realloc_begin(tm_realloc_call *call, unsigned int domain,
                                    void *ptr) {
  call->domain = domain;
  call->old_traced = ptr && tm_take_trace(domain, ptr, &call->old);
}

/* result: what realloc returned for size bytes; zero_frees: a NULL result
 * for size 0 means the old block was freed (TM_LIBC_REALLOC_ZERO_FREES, or
 * what a family's configuration says). */
static inline void tm_realloc_end(const tm_realloc_call *call, void *result,
                                  size_t size, int zero_frees, tm_site_t site) {
  int freed_old = result || (zero_frees && size == 0);
  if (call->old_traced && freed_old)
    tm_count_realloc_free(&call->old);
  if (result)
    tm_record_alloc(call->domain, result, size, site);
  else if (call->old_traced && !freed_old)
    tm_put_back_trace(&call->old);
}

#endif /* TM_REALLOC_H */
