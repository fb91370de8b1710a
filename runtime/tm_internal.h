/*
 * tm_internal.h - interfaces between the runtime's own files. Nothing here is
 * exported: every symbol is hidden (see runtime/CMakeLists.txt).
 */
#ifndef TM_INTERNAL_H
#define TM_INTERNAL_H

#include "tracemalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define TM_HIDDEN __attribute__((visibility("hidden")))

/* ---- error.c: the per-thread message behind tracemalloc_last_error() ---- */
TM_HIDDEN void tm_set_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- raw_memory.c: memory the runtime takes for itself ----
 * tm_raw_*: the C allocator, for snapshots and results handed to the user;
 * never traced (the per-thread reentrancy flag is held around the call).
 * tm_os_map/unmap: whole pages from mmap for the tracer's own tables, which
 * must not depend on (or recurse into) the traced allocator; counted in
 * tracemalloc_get_tracemalloc_memory(). On failure they return NULL and
 * leave errno as it was. */
TM_HIDDEN void *tm_raw_malloc(size_t size);
TM_HIDDEN void *tm_raw_calloc(size_t nmemb, size_t size);
TM_HIDDEN void *tm_raw_realloc(void *ptr, size_t size);
TM_HIDDEN void tm_raw_free(void *ptr);
TM_HIDDEN void *tm_os_map(size_t size);
TM_HIDDEN void tm_os_unmap(void *ptr, size_t size);
TM_HIDDEN size_t tm_os_mapped_bytes(void);

/* Per-thread flag: set while the runtime (or an allocator it wraps) is
 * running, so allocations made underneath are not traced a second time. */
extern _Thread_local int tm_reentrant TM_HIDDEN;

/* ---- snapshot.c: building snapshot objects ----
 * Used by take_snapshot (from the live traces) and by the file loader. The
 * builder interns strings, frames (by filename and lineno, as Python's Frame
 * compares) and tracebacks (by their frames and total_nframe), so equal
 * objects in one snapshot are the same pointer. Every function returns
 * NULL / -1 with tm_set_error() on failure. */
typedef struct tm_snapshot_builder tm_snapshot_builder;

TM_HIDDEN tm_snapshot_builder *tm_builder_new(unsigned int traceback_limit,
                                              uint64_t lost_traces);
TM_HIDDEN const tracemalloc_frame *
tm_builder_frame(tm_snapshot_builder *builder, const char *filename,
                 unsigned int lineno, const char *function);
/* frames: oldest first, nframe >= 1. */
TM_HIDDEN const tracemalloc_traceback *
tm_builder_traceback(tm_snapshot_builder *builder,
                     const tracemalloc_frame *const *frames,
                     unsigned int nframe, unsigned int total_nframe);
TM_HIDDEN int tm_builder_add_trace(tm_snapshot_builder *builder,
                                   unsigned int domain, size_t size,
                                   const tracemalloc_traceback *traceback);
/* Hand the result over; the builder is consumed either way. */
TM_HIDDEN tracemalloc_snapshot *tm_builder_finish(tm_snapshot_builder *builder);
TM_HIDDEN void tm_builder_abort(tm_snapshot_builder *builder);

#endif /* TM_INTERNAL_H */
