/*
 * tm_common.h - what every part of the runtime uses: the tracer (tracer/), the
 * snapshot library (snapshot/) and the command-line tools that link it.
 * Nothing here is exported: every symbol is hidden.
 */
#ifndef TM_COMMON_H
#define TM_COMMON_H

#include "tracemalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define TM_HIDDEN __attribute__((visibility("hidden")))

/* ---- error.c: the per-thread message behind tracemalloc_last_error() ---- */
TM_HIDDEN void tm_set_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- raw_memory.c: memory for snapshots and results handed to the user ----
 * The C allocator, never traced: the per-thread reentrancy flag is held
 * around the call. (The tracer's own tables come from whole pages instead:
 * tracer/os_memory.c.) */
TM_HIDDEN void *tm_raw_malloc(size_t size);
TM_HIDDEN void *tm_raw_calloc(size_t nmemb, size_t size);
TM_HIDDEN void *tm_raw_realloc(void *ptr, size_t size);
TM_HIDDEN void tm_raw_free(void *ptr);

/* Where a container takes its memory (hash_table.h), so that one container
 * serves both sides: allocate returns size zero-filled bytes or NULL;
 * release gets the size back (munmap needs it). tm_raw_allocator is
 * tm_raw_calloc and tm_raw_free; the tracer's depot passes whole pages
 * (tm_os_map and tm_os_unmap), since it runs inside the allocator it
 * traces. */
typedef struct tm_allocator {
  void *(*allocate)(size_t size);
  void (*release)(void *ptr, size_t size);
} tm_allocator;

extern const tm_allocator tm_raw_allocator TM_HIDDEN;

/* Per-thread flag: set while the runtime (or an allocator it wraps) is
 * running, so allocations made underneath are not traced a second time. */
extern _Thread_local int tm_reentrant TM_HIDDEN;

#endif /* TM_COMMON_H */
