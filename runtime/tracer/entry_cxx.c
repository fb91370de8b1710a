/*
 * entry_cxx.c - C++ operator new and delete as the pass calls them.
 *
 * Each entry point calls the real operator (whatever the program links:
 * libstdc++'s, or the program's own replacement), so new_handler, bad_alloc
 * and user replacements behave exactly as without TraceMalloc. A throwing
 * operator unwinds through these C frames (the runtime is compiled with
 * -fexceptions) before anything is recorded.
 *
 * The operators are weak references: a C program linked with the runtime
 * has no C++ library, and never calls these entry points.
 */
#include "tracer.h"

#include <stddef.h>

/* The replaceable operators, by their Itanium C++ ABI names (abi.def). */
#define TM_CXX_ENTRY_POINT(NAME, RUNTIME_NAME, ROLE, RETURN, PARAMS)           \
  __attribute__((weak)) RETURN NAME PARAMS;
#include "tracemalloc/abi.def"

/* Operators new and delete trace in the C library's domain too: Python has
 * no separate domain for them, and a block freed with the wrong function is
 * still the same block. */
#define CXX_DOMAIN 0u

/* The real operator new may throw: the reentrancy count taken by tm_enter()
 * is given back by a cleanup, which also runs when the exception unwinds
 * through this frame. */
static void leave_scope(int *trace) {
  (void)trace;
  tm_leave();
}

#define ENTER_SCOPE __attribute__((cleanup(leave_scope))) int trace = tm_enter()

static void *record(int trace, void *ptr, size_t size, tm_site_t site) {
  if (trace && ptr)
    tm_record_alloc(CXX_DOMAIN, ptr, size, site);
  return ptr;
}

/* Untrack first: once the block is freed its address can be reused. */
#define UNTRACE_SCOPE(ptr)                                                     \
  ENTER_SCOPE;                                                                 \
  if (trace && (ptr))                                                          \
  tm_record_free(CXX_DOMAIN, (ptr))

void *__tm_new(size_t size, tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _Znwm(size), size, site);
}

void *__tm_new_array(size_t size, tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _Znam(size), size, site);
}

void *__tm_new_nothrow(size_t size, const void *nothrow, tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _ZnwmRKSt9nothrow_t(size, nothrow), size, site);
}

void *__tm_new_array_nothrow(size_t size, const void *nothrow,
                             tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _ZnamRKSt9nothrow_t(size, nothrow), size, site);
}

void *__tm_new_aligned(size_t size, size_t align, tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _ZnwmSt11align_val_t(size, align), size, site);
}

void *__tm_new_array_aligned(size_t size, size_t align, tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _ZnamSt11align_val_t(size, align), size, site);
}

void *__tm_new_aligned_nothrow(size_t size, size_t align, const void *nothrow,
                               tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _ZnwmSt11align_val_tRKSt9nothrow_t(size, align, nothrow),
                size, site);
}

void *__tm_new_array_aligned_nothrow(size_t size, size_t align,
                                     const void *nothrow, tm_site_t site) {
  ENTER_SCOPE;
  return record(trace, _ZnamSt11align_val_tRKSt9nothrow_t(size, align, nothrow),
                size, site);
}

void __tm_delete(void *ptr, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdlPv(ptr);
}

void __tm_delete_array(void *ptr, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdaPv(ptr);
}

void __tm_delete_sized(void *ptr, size_t size, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdlPvm(ptr, size);
}

void __tm_delete_array_sized(void *ptr, size_t size, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdaPvm(ptr, size);
}

void __tm_delete_aligned(void *ptr, size_t align, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdlPvSt11align_val_t(ptr, align);
}

void __tm_delete_array_aligned(void *ptr, size_t align, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdaPvSt11align_val_t(ptr, align);
}

void __tm_delete_sized_aligned(void *ptr, size_t size, size_t align,
                               tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdlPvmSt11align_val_t(ptr, size, align);
}

void __tm_delete_array_sized_aligned(void *ptr, size_t size, size_t align,
                                     tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdaPvmSt11align_val_t(ptr, size, align);
}

void __tm_delete_nothrow(void *ptr, const void *nothrow, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdlPvRKSt9nothrow_t(ptr, nothrow);
}

void __tm_delete_array_nothrow(void *ptr, const void *nothrow,
                               tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdaPvRKSt9nothrow_t(ptr, nothrow);
}

void __tm_delete_aligned_nothrow(void *ptr, size_t align, const void *nothrow,
                                 tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdlPvSt11align_val_tRKSt9nothrow_t(ptr, align, nothrow);
}

void __tm_delete_array_aligned_nothrow(void *ptr, size_t align,
                                       const void *nothrow, tm_site_t site) {
  (void)site;
  UNTRACE_SCOPE(ptr);
  _ZdaPvSt11align_val_tRKSt9nothrow_t(ptr, align, nothrow);
}
