/*
 * family.c - the entry points of allocator families' definitions.
 *
 * The pass turns the definition of each function the configuration file
 * names (PyMem_RawMalloc, PyObject_Free, a project's xmalloc) into a
 * wrapper around its original body that calls these (runtime/tracer/tm_abi.h
 * shows the wrapper's shape). Unlike entry.c, the allocator is not called
 * here: the wrapper calls the body between __tm_family_enter() and the
 * function that records, with the reentrancy count raised, so whatever the
 * body allocates itself is not recorded a second time -- the rule CPython's
 * tracemalloc follows. Recording happens after the count is lowered again
 * and keeps errno as the body left it.
 */
#include "realloc.h"
#include "tracer.h"

_Static_assert(sizeof(tm_realloc_call) <=
                   sizeof(struct __tm_family_realloc_state),
               "struct __tm_family_realloc_state is too small");
_Static_assert(_Alignof(tm_realloc_call) <=
                   _Alignof(struct __tm_family_realloc_state),
               "struct __tm_family_realloc_state is not aligned enough");

int __tm_family_enter(void) { return tm_enter(); }

void __tm_family_leave(void) { tm_leave(); }

void __tm_family_alloc(int trace, unsigned int domain, void *ptr, size_t size,
                       tm_site_t site) {
  tm_leave();
  if (trace && ptr)
    tm_record_alloc(domain, ptr, size, site);
}

void __tm_family_calloc(int trace, unsigned int domain, void *ptr, size_t nmemb,
                        size_t size, tm_site_t site) {
  tm_leave();
  /* An overflowing request cannot have succeeded; record nothing if the
   * family returned a block anyway. */
  size_t total;
  if (trace && ptr && !__builtin_mul_overflow(nmemb, size, &total))
    tm_record_alloc(domain, ptr, total, site);
}

void __tm_family_free(unsigned int domain, void *ptr) {
  /* Untrack before the body frees: once freed, the address may be handed
   * to another thread, whose trace a late untrack would drop. */
  if (ptr && __atomic_load_n((const int *)&__tm_tracing, __ATOMIC_RELAXED))
    tm_record_free(domain, ptr);
  tm_reentrant++;
}

void __tm_family_realloc_begin(int trace, unsigned int domain,
                               struct __tm_family_realloc_state *state,
                               void *ptr) {
  if (trace)
    tm_realloc_begin((tm_realloc_call *)state, domain, ptr);
}

void __tm_family_realloc_end(int trace, struct __tm_family_realloc_state *state,
                             void *ptr, size_t size, void *result,
                             int zero_frees, tm_site_t site) {
  tm_leave();
  (void)ptr; /* the state knows whether it had a trace */
  if (trace)
    tm_realloc_end((const tm_realloc_call *)state, result, size, zero_frees,
                   site);
}
