/*
 * tm_abi.h - the contract between the TraceMalloc pass and the runtime.
 *
 * The pass emits one constant site record per allocation call (and, for
 * inlined code, one per frame of the inlinedAt chain) and passes its address
 * to the runtime: the address is the site id, so sites cost nothing at
 * startup. Every constant, struct layout and entry point below is declared
 * from include/tracemalloc/abi.def, which the pass (pass/RuntimeABI.h)
 * builds its IR from: a definition here whose signature differs from the
 * .def does not compile. The pass emits
 *   %tm.site = type { ptr, ptr, ptr, i32, i32, i32, i32 }
 */
#ifndef TM_ABI_H
#define TM_ABI_H

#include <stddef.h>
#include <stdint.h>

/* The id of a call site: the address of its record. */
typedef const struct __tm_site *tm_site_t;

/* TM_SHADOW_CAP, TM_SITE_OWN_FRAME, TM_FAMILY_REALLOC_STATE_WORDS. */
enum {
#define TM_ABI_CONSTANT(NAME, VALUE) NAME = VALUE,
#include "tracemalloc/abi.def"
};

/* The slot of a frame is its depth masked with TM_SHADOW_CAP - 1. */
_Static_assert((TM_SHADOW_CAP & (TM_SHADOW_CAP - 1)) == 0,
               "the shadow stack's capacity must be a power of two");

/* One source frame: where a call is, in which function (see abi.def). */
struct __tm_site {
#define TM_SITE_FIELD(TYPE, NAME) TYPE NAME;
#include "tracemalloc/abi.def"
};

/* The pass emits the records 8-byte aligned. */
_Static_assert(_Alignof(struct __tm_site) <= 8,
               "struct __tm_site is more aligned than its records");

/* The per-thread shadow stack (docs/architecture.md, "Tracebacks without
 * unwinding"). Instrumented functions that may allocate do: d = depth; depth =
 * d + 1 at entry; slots[d % CAP] = site before each call that may allocate;
 * depth = d at every exit. The slots are a ring: of a stack deeper than CAP,
 * the innermost CAP frames are kept. */
struct __tm_shadow_stack {
#define TM_SHADOW_STACK_FIELD(TYPE, NAME, DIMENSION) TYPE NAME DIMENSION;
#include "tracemalloc/abi.def"
};

/* The pass loads and stores the depth at the address of the stack. */
_Static_assert(offsetof(struct __tm_shadow_stack, depth) == 0,
               "the depth must come first in struct __tm_shadow_stack");

extern _Thread_local struct __tm_shadow_stack __tm_shadow
    __attribute__((tls_model("initial-exec")));

/* Runtime entry points that replace the allocation functions. Each takes the
 * original arguments followed by the site of the call. For the C++
 * operators, align is std::align_val_t and nothrow is
 * const std::nothrow_t &, both passed through to the real operator. */
#define TM_ABI_WITH_SITE(...) (__VA_ARGS__, tm_site_t site)
#define TM_ENTRY_POINT(NAME, RUNTIME_NAME, ROLE, RETURN, PARAMS)               \
  RETURN RUNTIME_NAME TM_ABI_WITH_SITE PARAMS;
#include "tracemalloc/abi.def"
#undef TM_ABI_WITH_SITE

/* ---- Allocator families (docs/architecture.md, "Allocator families") ----
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
  uint64_t opaque[TM_FAMILY_REALLOC_STATE_WORDS];
};

#define TM_FAMILY_HOOK(NAME, RETURN, PARAMS)                                   \
  RETURN NAME PARAMS __attribute__((nothrow));
#include "tracemalloc/abi.def"

#endif /* TM_ABI_H */
