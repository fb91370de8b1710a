/*
 * tracer.h - interfaces between the in-process tracer's own files: the entry
 * points, the interposed allocator, the shadow stack, the trace table, the
 * traceback depot and the tracer's state. Nothing here is exported.
 */
#ifndef TM_TRACER_H
#define TM_TRACER_H

#include "tm_abi.h"
#include "tm_common.h"

#include <stddef.h>
#include <stdint.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
#include <sys/single_threaded.h>
#define TM_HAVE_SINGLE_THREADED 1
#endif

/* For the rare paths of the hot functions (first use, growth, misses):
 * kept out of line, so that the common path needs fewer registers saved. */
#define TM_COLD __attribute__((noinline, cold))

/* True while the process has one thread (glibc 2.32+ keeps the flag: it
 * turns false in pthread_create before the new thread exists, and true in
 * the child of a fork). Then a read-modify-write of shared state needs no
 * atomic instruction (trace_table.c's locks, alloc_counts.c's counters). */
static inline int tm_single_threaded(void) {
#ifdef TM_HAVE_SINGLE_THREADED
  return __libc_single_threaded;
#else
  return 0;
#endif
}

/* ---- os_memory.c: whole pages for the tracer's own tables ----
 * From mmap, so the tables never depend on (or recurse into) the traced
 * allocator; counted in tracemalloc_get_tracemalloc_memory(). On failure
 * they return NULL and leave errno as it was. */
TM_HIDDEN void *tm_os_map(size_t size);
TM_HIDDEN void tm_os_unmap(void *ptr, size_t size);
TM_HIDDEN size_t tm_os_mapped_bytes(void);

/* Memory that grows where it is: address space reserved with no access
 * (no memory, not counted), of which the first committed bytes are mapped
 * read-write (counted). A table that grows in its region keeps the pages
 * it has: their first write, which on a virtual machine that shadows the
 * guest's page tables costs about a microsecond a page, is not paid again. */
typedef struct tm_os_region {
  char *base;       /* NULL: nothing reserved */
  size_t reserved;  /* bytes of address space at base */
  size_t committed; /* bytes mapped read-write from base, whole pages */
} tm_os_region;

/* Reserve at least size bytes for an empty region (a whole number of
 * pages): 0, or -1 if the address space cannot be had. */
TM_HIDDEN int tm_os_region_reserve(tm_os_region *region, size_t size);
/* Map the region read-write up to at least size bytes, the new pages
 * zeroed and present: 0, or -1 (nothing changed) if size is past the
 * reservation or the memory cannot be had. */
TM_HIDDEN int tm_os_region_commit(tm_os_region *region, size_t size);
/* Unmap the whole region and empty it. */
TM_HIDDEN void tm_os_region_release(tm_os_region *region);
/* Whether the process's address space is limited (RLIMIT_AS): then
 * reserved space counts against what the program may map. */
TM_HIDDEN int tm_os_address_space_limited(void);

/* ---- shadow_stack.c: the frames of the current call ----
 * Fills frames[] (most recent first) with at most max frames: the site and
 * its inlined chain, then the callers' call sites from the shadow stack.
 * site NULL: the allocation comes from uninstrumented code, and the
 * traceback starts at the innermost instrumented call site (the top slot).
 * Returns how many were stored; *total_nframe gets the full depth,
 * saturated at TRACEMALLOC_MAX_NFRAME. Never returns 0 frames. */
TM_HIDDEN unsigned int tm_capture_frames(tm_site_t site, tm_site_t *frames,
                                         unsigned int max,
                                         unsigned int *total_nframe);
/* The frame used when nothing is known ("<unknown>", line 0). */
extern const struct __tm_site tm_unknown_site TM_HIDDEN;

/* How many shadow-stack slots, from slot 0 up, a traceback from site reads
 * (more than TM_SHADOW_CAP when the stack is deeper than the ring: slot i is
 * slots[i % TM_SHADOW_CAP]): a function with a frame of its own owns the top
 * slot, which holds a stale call site. */
static inline uint64_t tm_caller_slots(tm_site_t site) {
  uint64_t skip = site && (site->flags & TM_SITE_OWN_FRAME) ? 2 : 1;
  uint64_t depth = __tm_shadow.depth;
  return depth >= skip ? depth - skip + 1 : 0;
}

/* ---- traceback.c: interned tracebacks (the depot) ----
 * Immutable once published, referenced by a dense 32-bit id. Interning and
 * resetting happen with a trace-table shard lock held (reset: all of them),
 * which is what makes an id valid for as long as a trace holds it. */
typedef struct tm_traceback {
  uint32_t hash;
  uint16_t nframe;       /* frames stored, 1..65535 */
  uint16_t total_nframe; /* saturated at 65535 */
  tm_site_t frames[];    /* most recent first */
} tm_traceback;

/* Whether a[0, n) and b[0, n) hold the same sites: inline, since they are
 * a few long and a call to memcmp (the runtime is built with -fno-builtin)
 * costs as much as comparing them; without an early exit, so that the loop
 * vectorises -- the depot and the traceback cache compare mostly equal
 * arrays, found by their hash. */
static inline int tm_same_sites(const tm_site_t *a, const tm_site_t *b,
                                unsigned int n) {
  uintptr_t differ = 0;
  for (unsigned int i = 0; i < n; i++)
    differ |= (uintptr_t)a[i] ^ (uintptr_t)b[i];
  return differ == 0;
}

TM_HIDDEN uint32_t tm_traceback_hash(const tm_site_t *frames,
                                     unsigned int nframe,
                                     unsigned int total_nframe);
/* 0 and *id on success; -1 when the depot cannot grow. */
TM_HIDDEN int tm_traceback_intern(const tm_site_t *frames, unsigned int nframe,
                                  unsigned int total_nframe, uint32_t hash,
                                  uint32_t *id);
TM_HIDDEN const tm_traceback *tm_traceback_get(uint32_t id);
TM_HIDDEN uint32_t tm_traceback_count(void);
TM_HIDDEN void tm_traceback_reset(void);
/* Changes, with every shard lock held, whenever an id or a frame of the
 * depot may stop meaning what it meant: at each reset and each unload
 * (tm_traceback_detach_locked). Read it with a shard lock held. */
TM_HIDDEN uint64_t tm_traceback_epoch(void);
/* Held across fork() so the child never inherits a half-made insert. */
TM_HIDDEN void tm_traceback_lock(void);
TM_HIDDEN void tm_traceback_unlock(void);

/* Address ranges of a module's loaded segments, [start, end). */
typedef struct tm_code_range {
  uintptr_t start, end;
} tm_code_range;
/* A module is about to be unloaded (dlclose): every frame of the depot that
 * points into one of the ranges -- a site record of that module -- is
 * replaced by a copy, with its strings, in the depot's own memory. With the
 * depot lock and every shard lock held (see tm_forget_code). */
TM_HIDDEN void tm_traceback_detach_locked(const tm_code_range *ranges,
                                          unsigned int nrange);

/* ---- traceback_cache.c: per thread, the ids of recent call stacks ----
 * Keyed by the site and the raw shadow-stack slots its traceback reads.
 * find, without a lock: 1 and *id when this thread interned that traceback
 * before, an id to use only if tm_traceback_cache_current_locked() says so
 * under the shard lock; 0 otherwise, and then, once the traceback is
 * interned, tm_traceback_cache_store_locked() remembers its id (probe says
 * where; the shadow stack must not have changed in between). */
typedef struct tm_traceback_probe {
  void *entry; /* NULL: not cached */
  tm_site_t site;
  uint64_t hash;
  uint32_t nslots;
} tm_traceback_probe;

TM_HIDDEN int tm_traceback_cache_find(tm_site_t site, unsigned int limit,
                                      tm_traceback_probe *probe, uint32_t *id);
TM_HIDDEN int tm_traceback_cache_current_locked(void);
TM_HIDDEN void tm_traceback_cache_store_locked(const tm_traceback_probe *probe,
                                               uint32_t id);
/* ---- alloc_counts.c: allocation counters per traceback id ----
 * Kept until the depot is reset, with it. Changed with a shard lock held,
 * reset and copied with every shard locked. */
typedef struct tm_alloc_counts {
  uint64_t allocations; /* blocks allocated */
  uint64_t allocated;   /* bytes, in all */
  uint64_t temporary;   /* freed before the thread's next allocation */
} tm_alloc_counts;
struct tm_trace_entry;
/* A block of traceback_id was allocated by this thread. */
TM_HIDDEN void tm_count_allocation(unsigned int domain, uintptr_t ptr,
                                   size_t size, uint32_t traceback_id);
/* This thread freed the block of a trace just taken out of the table. */
TM_HIDDEN void tm_count_free(const struct tm_trace_entry *freed);
/* Whether (domain, ptr) is this thread's last allocation (no lock). */
TM_HIDDEN int tm_count_is_last_allocation(unsigned int domain, uintptr_t ptr);
/* out[0, count): the counters of ids 0 to count - 1. */
TM_HIDDEN void tm_counts_copy_locked(tm_alloc_counts *out, uint32_t count);
TM_HIDDEN void tm_counts_reset_locked(void);

/* ---- trace_table.c: (domain, pointer) -> (size, traceback id) ----
 * Open addressing, sharded by pointer hash, one lock per shard. */
typedef struct tm_trace_entry {
  uintptr_t ptr;
  size_t size;
  uint32_t domain;
  uint32_t traceback_id;
} tm_trace_entry;

typedef struct tm_shard tm_shard;

/* A trace's key and what the table derives from it, computed once per
 * operation: the key's hash, which picks the shard and the slot, and the
 * shard. Hashing three times -- for the prefetch, the lock, the probe --
 * was a tenth of an allocation's instructions. */
typedef struct tm_table_key {
  uintptr_t ptr;
  unsigned int domain;
  uint64_t hash;
  uint64_t identity; /* what a slot of the trace holds of the key */
  tm_shard *shard;
} tm_table_key;

/* Fill key for (domain, ptr) and start loading its table slot, without a
 * lock: at a large live set each put and take is a cache miss, which the
 * work done until the probe hides. */
TM_HIDDEN void tm_table_key_init(tm_table_key *key, unsigned int domain,
                                 uintptr_t ptr);
/* Lock and unlock the key's shard: every call below needs it held. */
TM_HIDDEN void tm_table_lock(const tm_table_key *key);
TM_HIDDEN void tm_table_unlock(const tm_table_key *key);
/* Insert or replace the trace of key. 0 on success, *old_size = the size
 * replaced or SIZE_MAX when new; -1 when the shard cannot grow (or, for a
 * trace too big to pack, keep its overflow record). */
TM_HIDDEN int tm_table_put(const tm_table_key *key, size_t size,
                           uint32_t traceback_id, size_t *old_size);
/* Remove and return the entry; 0 if it was not there. */
TM_HIDDEN int tm_table_take(const tm_table_key *key, tm_trace_entry *out);
/* Copy the entry to *out; 0 if it is not there. */
TM_HIDDEN int tm_table_find(const tm_table_key *key, tm_trace_entry *out);
TM_HIDDEN void tm_table_lock_all(void);
TM_HIDDEN void tm_table_unlock_all(void);
/* With every shard locked: */
TM_HIDDEN void tm_table_clear_locked(void);
TM_HIDDEN size_t tm_table_count_locked(void);
/* Every entry into out (room for tm_table_count_locked()), without a call
 * per entry: how many, and *total_size their sizes' sum. */
TM_HIDDEN size_t tm_table_copy_locked(tm_trace_entry *out, size_t *total_size);
/* The entry whose block [ptr, ptr + size) contains addr, in any domain; a
 * linear scan, for the rare lookups of interior pointers. */
TM_HIDDEN int tm_table_find_containing_locked(uintptr_t addr,
                                              tm_trace_entry *out);
/* A raw copy: the shards' storage as it is (packed slots, empty ones
 * included, and overflow records), cheap to make, unpacked when read. */
typedef struct tm_table_raw tm_table_raw;
/* With every shard locked: the bytes a raw copy of the table needs now,
 * and the copy into raw (that many bytes, 8-byte aligned): its traces. */
TM_HIDDEN size_t tm_table_raw_size_locked(void);
TM_HIDDEN size_t tm_table_raw_copy_locked(tm_table_raw *raw);
/* The traces of raw into out (room for as many as the copy returned), in
 * the order tm_table_copy_locked gives them: how many. */
TM_HIDDEN size_t tm_table_raw_unpack(const tm_table_raw *raw,
                                     tm_trace_entry *out);

/* ---- entry.c: the allocator the C entry points call ----
 * Whatever the program's malloc family is: at first the first definitions,
 * which are interpose.c's own unless another allocator is preloaded; once
 * the runtime is loaded interpose.c points those of its own at glibc's, so
 * that an entry point reaches the allocator in one call, not two. Read and
 * written with relaxed atomics: either value is right. */
typedef struct tm_malloc_family {
  void *(*malloc)(size_t size);
  void *(*calloc)(size_t nmemb, size_t size);
  void *(*realloc)(void *ptr, size_t size);
  void (*free)(void *ptr);
} tm_malloc_family;
extern tm_malloc_family tm_real_malloc_family TM_HIDDEN;

/* ---- interpose.c: allocations of uninstrumented code ----
 * Recorded unless TRACEMALLOC_UNINSTRUMENTED=0 (read at start-up). */
extern int tm_trace_uninstrumented TM_HIDDEN;

/* ---- tracer.c: recording, called by the entry points ---- */

/* Cheap enough for every allocation: one relaxed load and one TLS read. */
static inline int tm_should_trace(void) {
  return __atomic_load_n((const int *)&__tm_tracing, __ATOMIC_RELAXED) &&
         !tm_reentrant;
}

/* The entry points call the real allocator inside tm_enter()/tm_leave(): the
 * interposed malloc family (interpose.c) then passes the call through, and
 * the entry point records it with its exact site. tm_enter() says whether to
 * record. */
static inline int tm_enter(void) {
  int trace = tm_should_trace();
  tm_reentrant++;
  return trace;
}

static inline void tm_leave(void) { tm_reentrant--; }

/* These keep errno as it was: the traced program must see the allocator's
 * errno, not ours. site NULL: from uninstrumented code. */
/* Call hook (from the allocating thread, with a shard lock held: it must only
 * signal someone else) each time traced memory has grown by step bytes
 * since the last call. */
TM_HIDDEN void tm_set_growth_trigger(size_t step, void (*hook)(void));

/* 0 when recorded (or tracing stopped meanwhile), -1 when counted lost. */
TM_HIDDEN int tm_record_alloc(unsigned int domain, void *ptr, size_t size,
                              tm_site_t site);
TM_HIDDEN void tm_record_free(unsigned int domain, void *ptr);
/* The same in two halves, around the real free of ptr (not NULL): begin
 * fills key, starts loading the trace's slot and locks its shard; end takes
 * the trace out and unlocks. The lock keeps the address from being
 * recorded again by another thread until the old trace is gone -- the
 * reason a free otherwise untracks first -- and the free's own work hides
 * the slot's cache miss. The real free runs with tm_reentrant raised, as
 * every real call does. */
TM_HIDDEN void tm_untrack_begin(tm_table_key *key, unsigned int domain,
                                void *ptr);
TM_HIDDEN void tm_untrack_end(const tm_table_key *key);
/* Free ptr (not NULL) with real_free between the two halves; tm_reentrant
 * must be raised (entry points: tm_enter). */
static inline void tm_free_untracking(unsigned int domain, void *ptr,
                                      void (*real_free)(void *)) {
  tm_table_key key;
  tm_untrack_begin(&key, domain, ptr);
  real_free(ptr);
  tm_untrack_end(&key);
}

/* Before a module is unloaded: copy the site records of its code that the
 * depot refers to (tm_traceback_detach_locked), with every lock held. */
TM_HIDDEN void tm_forget_code(const tm_code_range *ranges, unsigned int nrange);

/* A trace taken out of the table, to be put back later (realloc.h). */
typedef struct tm_taken_trace {
  tm_trace_entry entry;
  uint64_t generation; /* of the depot, so a cleared id is never put back */
} tm_taken_trace;

/* Take ptr's trace out of the table (and out of the traced memory): 1 and
 * *taken when there was one, 0 when not. */
TM_HIDDEN int tm_take_trace(unsigned int domain, void *ptr,
                            tm_taken_trace *taken);
/* Put a taken trace back, unless tracing stopped or the traces were cleared
 * since it was taken. */
TM_HIDDEN void tm_put_back_trace(const tm_taken_trace *taken);
/* A realloc freed the block of a taken trace (counted temporary when it
 * was this thread's last allocation). */
TM_HIDDEN void tm_count_realloc_free(const tm_taken_trace *taken);

/* Serialises start, stop, clear_traces and take_snapshot (tracer.c). */
TM_HIDDEN void tm_control_lock(void);
TM_HIDDEN void tm_control_unlock(void);

/* ---- timeline.c: traced memory over time ---- */
enum { TM_TIMELINE_CAPACITY = 4096 };
/* The band around the last point, [low, high]: a size outside it makes a
 * point. An allocation only checks high, a free only low: one load and one
 * compare each. A "negative" count (tracer.c) is above high, and never
 * below low: add_traced() leaves it out, sub_traced() never sees it. */
extern _Atomic size_t tm_timeline_low TM_HIDDEN, tm_timeline_high TM_HIDDEN;

static inline int tm_timeline_above(size_t now) {
  return now >
         __atomic_load_n((const size_t *)&tm_timeline_high, __ATOMIC_RELAXED);
}

static inline int tm_timeline_below(size_t now) {
  return now <
         __atomic_load_n((const size_t *)&tm_timeline_low, __ATOMIC_RELAXED);
}
/* The slow path, for a size outside the band, with a shard lock held;
 * peak: traced_peak, as now has updated it. */
TM_HIDDEN void tm_timeline_moved(size_t now, size_t peak);
/* An empty timeline, whose time starts now, with a point at 0 bytes: at
 * start and clear_traces (with no trace event under way). */
TM_HIDDEN void tm_timeline_restart(void);
/* With every shard lock held: record a point for the size now (and the
 * peak if no point reached it), then copy the timeline to out (room for
 * TM_TIMELINE_COPY_MAX points); returns how many points it copied. */
enum { TM_TIMELINE_COPY_MAX = TM_TIMELINE_CAPACITY + 2 };
TM_HIDDEN size_t tm_timeline_copy_locked(tracemalloc_timeline_point *out,
                                         size_t now, size_t peak);

/* ---- take_snapshot.c: the live traces, copied then built ---- */
typedef struct tm_trace_copy {
  tm_trace_entry *traces; /* room for tm_table_count_locked() of them */
  size_t ntraces;
  uint32_t ntracebacks;    /* the depot's size at the copy */
  tm_alloc_counts *counts; /* ntracebacks of them, or NULL: none copied */
  /* Room for TM_TIMELINE_COPY_MAX points, or NULL: none copied. */
  tracemalloc_timeline_point *timeline;
  size_t ntimeline;
  unsigned int limit;
  uint64_t lost;
} tm_trace_copy;

/* With every shard locked: fill copy (its traces array, given); the sum of
 * their sizes. */
TM_HIDDEN size_t tm_copy_traces_locked(tm_trace_copy *copy);
/* With control_lock held, and the depot not reset since the copies: the
 * snapshot of copy, with peak's traces as its traces at the peak (peak
 * NULL: none), or NULL with the error set. */
TM_HIDDEN tracemalloc_snapshot *tm_build_snapshot(const tm_trace_copy *copy,
                                                  const tm_trace_copy *peak);

/* ---- peak_copy.c: the traces at the peak (TRACEMALLOC_PEAK) ----
 * A rise of traced memory past tm_peak_threshold (SIZE_MAX when not
 * tracking) marks a copy as wanted; the next decrease copies the live
 * traces first (tm_peak_copy_if_wanted). */
extern _Atomic int tm_peak_wanted TM_HIDDEN;
extern _Atomic size_t tm_peak_threshold TM_HIDDEN;

/* Keep the traces within percent of the peak from now on (start-up). */
TM_HIDDEN void tm_peak_track(unsigned int percent);
TM_HIDDEN int tm_peak_tracking(void);
/* Traced memory rose past the threshold, or the peak was reset: the next
 * decrease copies the live traces. Nothing when not tracking. */
TM_HIDDEN void tm_peak_mark(void);
/* Copy the live traces if a copy is wanted: no shard lock held / every
 * shard lock held. */
TM_HIDDEN void tm_peak_take(void);
TM_HIDDEN void tm_peak_take_locked(void);
/* clear_traces, stop: nothing kept, with every shard lock held. */
TM_HIDDEN void tm_peak_clear_locked(void);
/* With every shard lock held: the traces at the peak. tm_peak_kept_locked
 * fills *copy but for its traces (copy->ntraces of them; no counters, no
 * timeline): 0, or -1 with the error set. Then, under the same locks,
 * tm_peak_unpack_locked writes those traces to out (room for
 * copy->ntraces). */
TM_HIDDEN int tm_peak_kept_locked(tm_trace_copy *copy);
TM_HIDDEN void tm_peak_unpack_locked(tm_trace_entry *out);

/* At the top of every change that may lower traced memory. */
static inline void tm_peak_copy_if_wanted(void) {
  if (__builtin_expect(
          __atomic_load_n((const int *)&tm_peak_wanted, __ATOMIC_RELAXED), 0))
    tm_peak_take();
}

/* When traced memory sets a new peak (now). */
static inline void tm_peak_check_rise(size_t now) {
  if (now >
      __atomic_load_n((const size_t *)&tm_peak_threshold, __ATOMIC_RELAXED))
    tm_peak_mark();
}

/* ---- capture.c: exact snapshots asked for asynchronously ----
 * A request (async-signal-safe) makes the first trace event after it, in
 * any thread, copy the live traces before its own change; the snapshots
 * are built later, one copy per group of requests, in order. */
extern _Atomic int tm_capture_wanted TM_HIDDEN; /* tracer.c */

TM_HIDDEN void tm_capture_request(void);
/* What the tracer calls back into capture.c, installed by the first request
 * (tracer.c holds the pointer): the recording path, clear and stop never
 * call capture.c, which builds snapshots, themselves. */
typedef struct tm_capture_hooks {
  void (*take)(void);          /* copy the live traces; no shard lock held */
  void (*settle_locked)(void); /* see tm_capture_settle_locked */
  void (*forget_in_child)(void);
} tm_capture_hooks;
TM_HIDDEN void tm_set_capture_hooks(const tm_capture_hooks *hooks);
/* Copy the live traces if a request wants it; no shard lock held
 * (tracer.c: through the hooks). */
TM_HIDDEN void tm_capture_take(void);
/* The same with every shard lock held; tracing: 0 makes an error of it. */
TM_HIDDEN void tm_capture_take_locked(int tracing);

/* At the top of every change to the live traces: one relaxed load. */
static inline void tm_capture_if_wanted(void) {
  if (__builtin_expect(
          __atomic_load_n((const int *)&tm_capture_wanted, __ATOMIC_RELAXED),
          0))
    tm_capture_take();
}

/* settle_locked: with control_lock and every shard lock held, before the
 * depot is reset: take a wanted copy of the traces about to go, and build
 * every queued copy, whose ids the reset would invalidate. */
/* The oldest copy's snapshot (NULL with the error set when it could not be
 * taken) and how many requests it answers: 1, or 0 when none is queued.
 * Takes control_lock and the shard locks. */
TM_HIDDEN int tm_capture_next(tracemalloc_snapshot **snapshot,
                              unsigned long *requests);
/* forget_in_child: in a fork child, the parent's requests and copies are
 * the parent's. */

#endif /* TM_TRACER_H */
