/*
 * snapshot.h - the inside of a snapshot, shared by the files that build,
 * read, write, filter, compare and summarise snapshots (snapshot.c,
 * snapshot_file.c, statistics.c, compare.c, filter.c, pickle.c). Nothing here
 * is exported.
 *
 * A snapshot may hold ten million traces, so nothing in it is allocated one
 * object at a time: strings, frames and tracebacks are carved out of an arena
 * (arena.h), and the traces are one array of 16-byte records. Every
 * string, frame and traceback is interned, so equal objects are the same
 * pointer and can be compared and hashed by address.
 *
 * Frames are interned by (filename, lineno, function): two functions on one
 * line (C++ template instances, macros) stay two frames, which TraceMalloc's
 * own outputs show apart. Python's Frame compares (filename, lineno) alone,
 * so each frame also points to its *location*: the first frame of the
 * snapshot with its filename and lineno. Python's groupings go by location,
 * still by address.
 */
#ifndef TM_SNAPSHOT_H
#define TM_SNAPSHOT_H

#include "arena.h"
#include "hash_table.h"
#include "tm_common.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Interned objects ----
 * The public structs come first, so a pointer handed to the user converts
 * back to its container. index: position in the snapshot's table of that
 * kind, which is also the index used in a .tms file. */
typedef struct tm_snap_string {
  uint32_t index;
  uint32_t length;
  char text[]; /* NUL-terminated */
} tm_snap_string;

typedef struct tm_snap_frame {
  tracemalloc_frame frame;
  uint32_t index;
  /* The frame that stands for (filename, lineno), which is itself when
   * it was the first one made with them. */
  const tracemalloc_frame *location;
  /* Inlined into the next older frame of its tracebacks: a call site of an
   * inlined function body, which shares its machine code with the caller's
   * (pprof writes such chains as one location). Part of the frame's
   * identity, with the function; never of Python's comparisons. */
  unsigned int inlined;
} tm_snap_frame;

typedef struct tm_snap_traceback {
  tracemalloc_traceback traceback;
  uint32_t index;
  /* Hash of the frames' locations alone: Python's statistics group
   * tracebacks by their (filename, lineno) pairs, ignoring total_nframe and
   * functions. */
  uint64_t locations_hash;
  const tracemalloc_frame *frames[]; /* oldest first */
} tm_snap_traceback;

static inline const tm_snap_string *tm_snap_string_of(const char *text) {
  return (const tm_snap_string *)(text - offsetof(tm_snap_string, text));
}

static inline const tm_snap_frame *
tm_snap_frame_of(const tracemalloc_frame *frame) {
  return (const tm_snap_frame *)frame;
}

static inline const tm_snap_traceback *
tm_snap_traceback_of(const tracemalloc_traceback *traceback) {
  return (const tm_snap_traceback *)traceback;
}

/* The frame standing for frame's (filename, lineno) in its snapshot. */
static inline const tracemalloc_frame *
tm_snap_location_of(const tracemalloc_frame *frame) {
  return tm_snap_frame_of(frame)->location;
}

/* Hash of a sequence of interned frames by address, or of their locations
 * (by_location). */
static inline uint64_t
tm_snap_hash_frames(const tracemalloc_frame *const *frames, unsigned int nframe,
                    int by_location) {
  uint64_t h = nframe;
  for (unsigned int i = 0; i < nframe; i++) {
    const tracemalloc_frame *frame =
        by_location ? tm_snap_location_of(frames[i]) : frames[i];
    h = tm_hash_mix(h, (uint64_t)(uintptr_t)frame);
  }
  return h;
}

/* A trace as the snapshot keeps it: 16 bytes, laid out as a .tms file's
 * trace record (unaligned there), so that a loaded snapshot keeps its
 * traces where the file was read, rewriting each record in place.
 * tracemalloc_trace takes 24 bytes with its traceback pointer;
 * tracemalloc_snapshot_trace() makes that array at its first call. At a
 * million traces this spares `tracemalloc top` faulting in 24 MB, which was
 * half of its time. */
typedef struct __attribute__((packed)) tm_snap_trace {
  uint32_t domain;
  uint32_t traceback; /* index in tracebacks[] */
  uint64_t size;
} tm_snap_trace;

/* Allocation counters of one traceback (allocations.c). */
typedef struct tm_snap_counts {
  uint64_t allocations; /* blocks allocated */
  uint64_t allocated;   /* bytes, in all */
  uint64_t temporary;   /* freed before the thread's next allocation */
} tm_snap_counts;

struct tracemalloc_snapshot {
  tm_arena arena;
  /* Every interned object, in the order it was first made. */
  tm_snap_string **strings;
  tm_snap_frame **frames;
  tm_snap_traceback **tracebacks;
  uint32_t nstrings, nframes, ntracebacks;
  uint32_t strings_capacity, frames_capacity, tracebacks_capacity;
  tm_snap_trace *traces; /* in the order they were added */
  size_t ntraces, traces_capacity;
  void *traces_owner;         /* the block traces lies in, when adopted */
  size_t traces_owner_mapped; /* its length when it is a mapping, else 0 */
  /* The traces as tracemalloc_snapshot_trace() returns them, made on
   * demand (the snapshot is otherwise immutable: published atomically). */
  tracemalloc_trace *_Atomic public_traces;
  unsigned int traceback_limit;
  uint64_t lost_traces;
  /* Allocation counters by traceback index (allocations.c), when
   * has_counts: counts[i] for i < ncounts, zero past that. */
  int has_counts;
  tm_snap_counts *counts;
  uint32_t ncounts;
  /* The peak (peak.c; the file's peak section): the high-water mark of
   * traced memory when the snapshot was taken, and, with TRACEMALLOC_PEAK,
   * the traces live at it, whose tracebacks are interned with the others. */
  int has_peak;        /* peak is known */
  int has_peak_traces; /* peak_traces holds the set kept at the peak */
  uint64_t peak;
  tm_snap_trace *peak_traces; /* tm_raw_malloc'd */
  size_t npeak_traces, peak_traces_capacity;
  /* Traced memory over time (timeline.c); NULL when the snapshot has none. */
  tracemalloc_timeline_point *timeline;
  size_t ntimeline;
};

/* A trace of the snapshot (of traces or peak_traces), as the public type. */
static inline tracemalloc_trace
tm_snap_trace_public(const tracemalloc_snapshot *s,
                     const tm_snap_trace *trace) {
  tracemalloc_trace result = {
      .domain = trace->domain,
      .size = (size_t)trace->size,
      .traceback = &s->tracebacks[trace->traceback]->traceback,
  };
  return result;
}

/* Trace number index, as the public type. */
static inline tracemalloc_trace tm_snap_trace_at(const tracemalloc_snapshot *s,
                                                 size_t index) {
  return tm_snap_trace_public(s, &s->traces[index]);
}

/* ---- peak.c: the peak a snapshot records ----
 * Room for count traces at the peak in all (has_peak_traces becomes 1),
 * then each added (traceback: one of the snapshot's). -1 with the error
 * set when out of memory. */
TM_HIDDEN void tm_snap_set_peak(tracemalloc_snapshot *snapshot, uint64_t peak);
TM_HIDDEN int tm_snap_reserve_peak_traces(tracemalloc_snapshot *snapshot,
                                          size_t count);
TM_HIDDEN void tm_snap_add_peak_trace(tracemalloc_snapshot *snapshot,
                                      unsigned int domain, uint64_t size,
                                      const tracemalloc_traceback *traceback);

/* ---- statistics.c: shared with compare.c ---- */

/* Snapshot._group_by(): one statistic per group, in no particular order,
 * with the same lifetime rules as tracemalloc_snapshot_statistics(). With
 * by_function, frames of different functions are different groups (see
 * tracemalloc_snapshot_statistics_by_function()). NULL with tm_set_error()
 * for a bad key_type/cumulative pair or no memory. */
TM_HIDDEN tracemalloc_statistics *
tm_snap_group_by(const tracemalloc_snapshot *snapshot,
                 tracemalloc_key_type key_type, int cumulative,
                 int by_function);

/* <0, 0, >0 as Python compares tracebacks: tuples of (filename, lineno),
 * oldest first, by value (the two may come from different snapshots). */
TM_HIDDEN int tm_snap_compare_tracebacks(const tracemalloc_traceback *a,
                                         const tracemalloc_traceback *b);

/* ---- allocations.c: allocation counters per traceback ---- */

/* The snapshot has counters (all zero until some are added). */
TM_HIDDEN void tm_snap_enable_counts(tracemalloc_snapshot *snapshot);
/* Add to the counters of the traceback of that index (enabling them): -1
 * with the error set when out of memory. */
TM_HIDDEN int tm_snap_add_counts(tracemalloc_snapshot *snapshot,
                                 uint32_t traceback, const tm_snap_counts *add);
/* The counters of a traceback; NULL when they are all zero. */
TM_HIDDEN const tm_snap_counts *
tm_snap_counts_of(const tracemalloc_snapshot *snapshot, uint32_t traceback);
/* ---- timeline.c: traced memory over time ----
 * Give the snapshot a copy of points[0, count) (count 0: none). 0, or -1
 * with the error set when out of memory. */
TM_HIDDEN int tm_snap_set_timeline(tracemalloc_snapshot *snapshot,
                                   const tracemalloc_timeline_point *points,
                                   size_t count);

/* ---- snapshot.c: building snapshot objects ----
 * Used by take_snapshot (from the live traces) and by the file loader. The
 * builder interns strings, frames (by filename, lineno and function, each
 * with its location: see above) and tracebacks (by their frames and
 * total_nframe), so equal objects in one snapshot are the same pointer. Every
 * function returns NULL / -1 with tm_set_error() on failure. */
typedef struct tm_snapshot_builder tm_snapshot_builder;

TM_HIDDEN tm_snapshot_builder *tm_builder_new(unsigned int traceback_limit,
                                              uint64_t lost_traces);
TM_HIDDEN const tracemalloc_frame *
tm_builder_frame(tm_snapshot_builder *builder, const char *filename,
                 unsigned int lineno, const char *function);
/* The same for a frame inlined into the next older one (inlined != 0). */
TM_HIDDEN const tracemalloc_frame *
tm_builder_frame_inlined(tm_snapshot_builder *builder, const char *filename,
                         unsigned int lineno, const char *function,
                         unsigned int inlined);
/* frames: oldest first, nframe >= 1. */
TM_HIDDEN const tracemalloc_traceback *
tm_builder_traceback(tm_snapshot_builder *builder,
                     const tracemalloc_frame *const *frames,
                     unsigned int nframe, unsigned int total_nframe);
/* traceback: one the builder made. */
TM_HIDDEN int tm_builder_add_trace(tm_snapshot_builder *builder,
                                   unsigned int domain, size_t size,
                                   const tracemalloc_traceback *traceback);
/* Take traces[0, ntraces) as the snapshot's traces (replacing any added),
 * and owner as the block to release with the snapshot: tm_raw_malloc'd
 * when owner_mapped is 0, else a mapping of that many bytes to munmap. */
struct tm_snap_trace;
TM_HIDDEN void tm_builder_adopt_traces(tm_snapshot_builder *builder,
                                       struct tm_snap_trace *traces,
                                       size_t ntraces, void *owner,
                                       size_t owner_mapped);
/* Room for count traces in all, allocated at once. */
TM_HIDDEN int tm_builder_reserve_traces(tm_snapshot_builder *builder,
                                        size_t count);
/* The snapshot being built, for the loader's optional sections (sections.h)
 * to fill in. */
TM_HIDDEN tracemalloc_snapshot *
tm_builder_snapshot(tm_snapshot_builder *builder);
/* Hand the result over; the builder is consumed either way. */
TM_HIDDEN tracemalloc_snapshot *tm_builder_finish(tm_snapshot_builder *builder);
TM_HIDDEN void tm_builder_abort(tm_snapshot_builder *builder);

#endif /* TM_SNAPSHOT_H */
