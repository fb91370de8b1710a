/*
 * tm_abi.h - the contract between the TraceMalloc pass and the runtime.
 *
 * The pass emits one constant site record per allocation call (and, for
 * inlined code, one per frame of the inlinedAt chain) and passes its address
 * to the runtime: the address is the site id, so sites cost nothing at
 * startup. Keep this file and pass/TraceMalloc.cpp in step: the pass builds
 * the same layout as the IR type
 *   %tm.site = type { ptr, ptr, ptr, i32, i32, i32, i32 }
 */
#ifndef TM_ABI_H
#define TM_ABI_H

#include <stddef.h>
#include <stdint.h>

/* One source frame: where a call is, in which function. */
struct __tm_site {
  const char *filename; /* absolute path as the compiler recorded it */
  const char *function; /* source-level (demangled when C++) name */
  /* The frame this code was inlined into (the call of the inlined function
   * in its caller), or NULL: a site and its inlined_at chain are the frames
   * one machine-level call stands for, innermost first. */
  const struct __tm_site *inlined_at;
  uint32_t lineno; /* 0 when the call had no debug location */
  uint32_t column;
  uint32_t flags;       /* TM_SITE_* */
  uint32_t chain_depth; /* 1 + inlined_at->chain_depth: frames it expands to */
};

/* The allocating function keeps a shadow-stack frame of its own, so the
 * top slot belongs to it (holding a stale call site) and the callers start
 * one slot further down. */
#define TM_SITE_OWN_FRAME 0x1u

/* Capacity of the per-thread shadow stack of call sites. */
#define TM_SHADOW_CAP 4096u

/* The per-thread shadow stack (DESIGN.md section 3). Instrumented functions
 * that may allocate do: d = depth; depth = d + 1 at entry;
 * slots[min(d, CAP - 1)] = site before each call that may allocate;
 * depth = d at every exit. */
struct __tm_shadow_stack {
  uint32_t depth;
  uint32_t reserved;
  const struct __tm_site *slots[TM_SHADOW_CAP];
};

extern _Thread_local struct __tm_shadow_stack __tm_shadow
    __attribute__((tls_model("initial-exec")));

/* Runtime entry points that replace the allocation functions. Each takes the
 * original arguments followed by the site of the call. */
typedef const struct __tm_site *tm_site_t;

void *__tm_malloc(size_t size, tm_site_t site);
void *__tm_calloc(size_t nmemb, size_t size, tm_site_t site);
void *__tm_realloc(void *ptr, size_t size, tm_site_t site);
void *__tm_reallocarray(void *ptr, size_t nmemb, size_t size, tm_site_t site);
void __tm_free(void *ptr, tm_site_t site);
void *__tm_aligned_alloc(size_t alignment, size_t size, tm_site_t site);
int __tm_posix_memalign(void **memptr, size_t alignment, size_t size,
                        tm_site_t site);
void *__tm_memalign(size_t alignment, size_t size, tm_site_t site);
void *__tm_valloc(size_t size, tm_site_t site);
void *__tm_pvalloc(size_t size, tm_site_t site);
char *__tm_strdup(const char *s, tm_site_t site);
char *__tm_strndup(const char *s, size_t n, tm_site_t site);

/* C++ operators. align is std::align_val_t and nothrow is
 * const std::nothrow_t &, both passed through to the real operator. */
void *__tm_new(size_t size, tm_site_t site);
void *__tm_new_array(size_t size, tm_site_t site);
void *__tm_new_nothrow(size_t size, const void *nothrow, tm_site_t site);
void *__tm_new_array_nothrow(size_t size, const void *nothrow, tm_site_t site);
void *__tm_new_aligned(size_t size, size_t align, tm_site_t site);
void *__tm_new_array_aligned(size_t size, size_t align, tm_site_t site);
void *__tm_new_aligned_nothrow(size_t size, size_t align, const void *nothrow,
                               tm_site_t site);
void *__tm_new_array_aligned_nothrow(size_t size, size_t align,
                                     const void *nothrow, tm_site_t site);
void __tm_delete(void *ptr, tm_site_t site);
void __tm_delete_array(void *ptr, tm_site_t site);
void __tm_delete_sized(void *ptr, size_t size, tm_site_t site);
void __tm_delete_array_sized(void *ptr, size_t size, tm_site_t site);
void __tm_delete_aligned(void *ptr, size_t align, tm_site_t site);
void __tm_delete_array_aligned(void *ptr, size_t align, tm_site_t site);
void __tm_delete_sized_aligned(void *ptr, size_t size, size_t align,
                               tm_site_t site);
void __tm_delete_array_sized_aligned(void *ptr, size_t size, size_t align,
                                     tm_site_t site);
void __tm_delete_nothrow(void *ptr, const void *nothrow, tm_site_t site);
void __tm_delete_array_nothrow(void *ptr, const void *nothrow, tm_site_t site);
void __tm_delete_aligned_nothrow(void *ptr, size_t align, const void *nothrow,
                                 tm_site_t site);
void __tm_delete_array_aligned_nothrow(void *ptr, size_t align,
                                       const void *nothrow, tm_site_t site);

/* ---- Allocator families (DESIGN.md section 2) ----
 * A function named in the configuration file (TRACEMALLOC_CONFIG) whose
 * definition is compiled with the pass becomes a wrapper around its
 * original body, renamed <name>.tm.body:
 *
 *   malloc:  t = __tm_family_enter(); r = body(...);
 *            __tm_family_alloc(t, domain, r, size, site);
 *   calloc:  t = __tm_family_enter(); r = body(...);
 *            __tm_family_calloc(t, domain, r, nmemb, size, site);
 *   realloc: t = __tm_family_enter();
 *            __tm_family_realloc_begin(t, domain, &state, ptr);
 *            r = body(...);
 *            __tm_family_realloc_end(t, &state, ptr, size, r, zero_frees,
 *                                    site);
 *   free:    __tm_family_free(domain, ptr); body(...); __tm_family_leave();
 *
 * __tm_family_enter() and __tm_family_free() raise the per-thread
 * reentrancy count, so the allocations the body makes itself (PyObject_Malloc
 * falling back to PyMem_RawMalloc, to malloc) are not traced a second time;
 * the call that ends the wrapper lowers it again. When the body unwinds,
 * the wrapper's cleanup calls the same function with a NULL result.
 * __tm_family_enter() returns whether to record (tracing, and not nested in
 * another family function or the runtime).
 *
 * site is NULL in the wrapper itself: the wrapper has no shadow-stack frame,
 * so the traceback starts at the caller's slot, which the caller stored
 * before calling. Where the wrapper was inlined into a caller, the pass
 * passes the site of the call it replaced instead.
 *
 * A free untracks the block whenever tracing is on, even when nested: a
 * block recorded in a domain must leave the table when it is freed there.
 * Realloc: the old block's trace is taken out first and put back when the
 * call fails (returns NULL), unless zero_frees is set (the family's realloc
 * frees the block and returns NULL for size 0, like glibc's). */
/* Nonzero while tracing. A family wrapper reads it first (relaxed) and,
 * when it is 0, calls the body and nothing else: not tracing costs one
 * load and a branch per call. Exported, never hidden: in a program linked
 * without PIE the wrapper's copy of it would otherwise not be the runtime's. */
extern _Atomic int __tm_tracing;

struct __tm_family_realloc_state {
  uint64_t opaque[8];
};

int __tm_family_enter(void) __attribute__((nothrow));
void __tm_family_leave(void) __attribute__((nothrow));
void __tm_family_alloc(int trace, unsigned int domain, void *ptr, size_t size,
                       tm_site_t site) __attribute__((nothrow));
void __tm_family_calloc(int trace, unsigned int domain, void *ptr, size_t nmemb,
                        size_t size, tm_site_t site) __attribute__((nothrow));
void __tm_family_free(unsigned int domain, void *ptr) __attribute__((nothrow));
void __tm_family_realloc_begin(int trace, unsigned int domain,
                               struct __tm_family_realloc_state *state,
                               void *ptr) __attribute__((nothrow));
void __tm_family_realloc_end(int trace, struct __tm_family_realloc_state *state,
                             void *ptr, size_t size, void *result,
                             int zero_frees, tm_site_t site)
    __attribute__((nothrow));

#endif /* TM_ABI_H */
