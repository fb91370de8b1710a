/*
 * tracemalloc.h - the public C API of TraceMalloc.
 *
 * TraceMalloc is Python's tracemalloc module for C and C++ programs. The
 * names follow the Python module: tracemalloc.start() is tracemalloc_start(),
 * Snapshot.statistics() is tracemalloc_snapshot_statistics(), and so on.
 *
 * Errors: functions that can fail return NULL or a negative number and leave
 * a message for tracemalloc_last_error(), in the spirit of dlerror(). The
 * message is per thread and stays until the next failing call.
 *
 * Lifetimes: everything a function returns is owned by the caller and is
 * released with the matching *_free function. Objects reached through a
 * snapshot (traces, tracebacks, frames) live as long as the snapshot; a
 * statistics list must be freed before the snapshot it was computed from.
 */
#ifndef TRACEMALLOC_H
#define TRACEMALLOC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Tracing ------------------------------------------------------------ */

/* Largest traceback limit accepted by tracemalloc_start(). */
#define TRACEMALLOC_MAX_NFRAME 65535

/* Start tracing allocations, storing at most nframe frames per traceback
 * (1..65535). Returns 0, or -1 if nframe is out of range. Like Python, a
 * call while already tracing changes nothing and returns 0. */
int tracemalloc_start(unsigned int nframe);

/* Stop tracing and drop every trace. */
void tracemalloc_stop(void);

/* 1 while tracing, 0 otherwise. */
int tracemalloc_is_tracing(void);

/* Drop every trace; tracing goes on. Current and peak become 0. */
void tracemalloc_clear_traces(void);

/* The traceback limit given to tracemalloc_start() (1 before any start). */
unsigned int tracemalloc_get_traceback_limit(void);

/* Current and peak size of the traced blocks; both 0 when not tracing.
 * current is exact whenever no other thread is allocating or freeing at the
 * time of the call. The peak is exact in a program with one thread; with
 * several, each thread counts its own allocations and frees and passes
 * them on in batches of 64 KiB, so the peak may be off by up to 64 KiB per
 * other thread (CPython, with its global lock, has no such case). */
void tracemalloc_get_traced_memory(size_t *current, size_t *peak);

/* Set the peak to the current traced size. With TRACEMALLOC_PEAK, the
 * traces kept at the peak become the live ones (see
 * tracemalloc_take_peak_snapshot()). */
void tracemalloc_reset_peak(void);

/* Bytes the tracer itself uses for its traces and tracebacks. */
size_t tracemalloc_get_tracemalloc_memory(void);

/* Number of allocations that were made while tracing but could not be
 * recorded (the tracer ran out of memory); they are missing from traces. */
uint64_t tracemalloc_get_lost_traces(void);

/* Track / untrack a block of another allocator, in a domain of its own
 * (Python's PyTraceMalloc_Track/Untrack). The traceback is the caller's.
 * Tracking an address again replaces its trace. 0 on success, -1 if the
 * trace could not be stored (counted as lost), -2 when not tracing.
 * Untracking an unknown address is not an error. */
int tracemalloc_track(unsigned int domain, uintptr_t ptr, size_t size);
int tracemalloc_untrack(unsigned int domain, uintptr_t ptr);

/* The message of the last failure in this thread, or "" if none. */
const char *tracemalloc_last_error(void);

/* ---- Snapshot objects ---------------------------------------------------- */

/* Frame: one source location. Equality is (filename, lineno), as in Python;
 * function is extra information TraceMalloc has ("" when unknown). A
 * snapshot keeps frames of different functions on one line apart (C++
 * template instances, macros): the Python functions below group and compare
 * them as one, the *_by_function and *_with_functions ones tell them
 * apart. */
typedef struct tracemalloc_frame {
  const char *filename;
  unsigned int lineno;
  const char *function;
} tracemalloc_frame;

/* 1 when frame, a frame of a snapshot's traceback, is a call site in an
 * inlined function body: it shares its machine code with the next older
 * frame of the traceback, where the function was inlined (pprof shows such
 * frames as one location). Frames that differ only in this stay apart in
 * a snapshot, as frames of different functions do. */
int tracemalloc_frame_is_inlined(const tracemalloc_frame *frame);

/* Traceback: frames[0] is the oldest frame and frames[nframe - 1] the most
 * recent one, as when iterating a Python Traceback. total_nframe is the
 * depth of the stack when the block was allocated (saturating at 65535),
 * which is larger than nframe when the traceback was truncated. */
typedef struct tracemalloc_traceback {
  const tracemalloc_frame *const *frames;
  unsigned int nframe;
  unsigned int total_nframe;
} tracemalloc_traceback;

/* Trace: one live memory block. */
typedef struct tracemalloc_trace {
  unsigned int domain;
  size_t size;
  const tracemalloc_traceback *traceback;
} tracemalloc_trace;

typedef struct tracemalloc_snapshot tracemalloc_snapshot;

/* Take a snapshot of the traces of the live blocks. NULL when not tracing
 * (an error, as Python raises RuntimeError) or out of memory. It records the
 * peak of traced memory and, when the program runs with TRACEMALLOC_PEAK,
 * the traces at the peak too (tracemalloc_snapshot_peak()), which its .tms
 * file carries. */
tracemalloc_snapshot *tracemalloc_take_snapshot(void);

/* The traces live at the peak of traced memory, as a snapshot: every
 * function that takes a snapshot works on it. Kept only when the program
 * runs with TRACEMALLOC_PEAK=PCT (read at start-up, like massif's
 * --peak-inaccuracy): the set kept is the one live when traced memory was
 * highest (PCT 0), or one whose size is within PCT percent of that highest
 * size; it is copied at the first free (or shrinking realloc) after a rise
 * past the threshold, so a program that only allocates pays for no copy.
 * clear_traces() and stop() drop it (the peak becomes 0, as in Python);
 * reset_peak() makes it the live set. With several threads, the size each
 * thread sees is off by up to 64 KiB per other thread (see
 * tracemalloc_get_traced_memory()), and so is the moment the set is kept.
 * A block tracked again at an address still tracked
 * (tracemalloc_track()) replaces its trace without counting as a free.
 * NULL, with the error set, when not tracing, without TRACEMALLOC_PEAK, or
 * when the tracer could not map the memory for the copy. */
tracemalloc_snapshot *tracemalloc_take_peak_snapshot(void);

void tracemalloc_snapshot_free(tracemalloc_snapshot *snapshot);

size_t tracemalloc_snapshot_trace_count(const tracemalloc_snapshot *snapshot);
const tracemalloc_trace *
tracemalloc_snapshot_trace(const tracemalloc_snapshot *snapshot, size_t index);
unsigned int
tracemalloc_snapshot_traceback_limit(const tracemalloc_snapshot *snapshot);
/* Allocations the tracer could not record before the snapshot was taken. */
uint64_t tracemalloc_snapshot_lost_traces(const tracemalloc_snapshot *snapshot);
/* The peak of traced memory when the snapshot was taken
 * (tracemalloc_get_traced_memory()'s peak): 0 and *peak, or -1 when the
 * snapshot records none (a file written before .tms version 3). */
int tracemalloc_snapshot_traced_peak(const tracemalloc_snapshot *snapshot,
                                     size_t *peak);
/* The traces at the peak a snapshot carries (taken or loaded with them:
 * see tracemalloc_take_peak_snapshot()), as a new snapshot that records
 * the same peak; NULL, with the error set, when it carries none. */
tracemalloc_snapshot *
tracemalloc_snapshot_peak(const tracemalloc_snapshot *snapshot);

/* Traced memory over time, from the start of tracing (or the last
 * clear_traces) to the snapshot: a point each time traced memory moved by
 * 1/128 of itself since the last point (by up to 1/2 while points come
 * faster than one a millisecond), the high-water point before any point
 * that goes down, and the size when the snapshot was taken. The largest
 * size is the peak of tracemalloc_get_traced_memory() at the snapshot
 * (unless tracemalloc_reset_peak() was called: the timeline keeps its
 * history). At most 4096 points: when they fill, each two neighbours merge
 * into the bigger one and later points are merged likewise. */
typedef struct tracemalloc_timeline_point {
  uint64_t nanoseconds; /* since tracing started, monotonic */
  uint64_t size;        /* traced memory, in bytes */
} tracemalloc_timeline_point;

/* The snapshot's timeline, oldest first, and its length in *count; NULL
 * and 0 when it has none (a file written before version 3). */
const tracemalloc_timeline_point *
tracemalloc_snapshot_timeline(const tracemalloc_snapshot *snapshot,
                              size_t *count);

/* Write the snapshot to a file in TraceMalloc's native format (.tms). The
 * file appears complete or not at all (temporary file + rename). 0 or -1. */
int tracemalloc_snapshot_dump(const tracemalloc_snapshot *snapshot,
                              const char *path);

/* Read a snapshot written by tracemalloc_snapshot_dump(). Every count and
 * offset is checked; a damaged file gives NULL and a message saying what is
 * wrong. */
tracemalloc_snapshot *tracemalloc_snapshot_load(const char *path);

/* ---- Tracebacks of live blocks ---------------------------------------------
 */

/* get_object_traceback(): the traceback of the traced block that contains
 * the address ptr (its start or any byte inside it), or NULL when not
 * tracing or when no traced block contains it. The result is one allocation,
 * released with tracemalloc_traceback_free(). */
tracemalloc_traceback *tracemalloc_get_object_traceback(const void *ptr);
void tracemalloc_traceback_free(tracemalloc_traceback *traceback);

/* ---- Filters -------------------------------------------------------------
 * Filter(inclusive, filename_pattern, lineno=None, all_frames=False,
 * domain=None) and DomainFilter(inclusive, domain) in one type. */
typedef struct tracemalloc_filter {
  int inclusive;
  /* 1: a DomainFilter (only inclusive and domain are used). */
  int domain_only;
  /* fnmatch pattern on the filename; ".pyc" names match as ".py". */
  const char *filename_pattern;
  /* -1 for any line (Python's None). */
  long lineno;
  int all_frames;
  /* -1 for any domain (Python's None). */
  long domain;
} tracemalloc_filter;

tracemalloc_filter tracemalloc_filter_make(int inclusive,
                                           const char *filename_pattern,
                                           long lineno, int all_frames,
                                           long domain);
tracemalloc_filter tracemalloc_domain_filter_make(int inclusive,
                                                  unsigned int domain);

/* Snapshot.filter_traces(filters): a new snapshot with the traces that match
 * any inclusive filter (if there is one) and no exclusive filter, in their
 * order. The original is untouched. */
tracemalloc_snapshot *
tracemalloc_snapshot_filter_traces(const tracemalloc_snapshot *snapshot,
                                   const tracemalloc_filter *filters,
                                   size_t nfilters);

/* ---- Statistics ---------------------------------------------------------- */

typedef enum tracemalloc_key_type {
  TRACEMALLOC_KEY_LINENO,
  TRACEMALLOC_KEY_FILENAME,
  TRACEMALLOC_KEY_TRACEBACK,
} tracemalloc_key_type;

/* Parse "lineno", "filename" or "traceback". 0, or -1 for anything else. */
int tracemalloc_key_type_parse(const char *name, tracemalloc_key_type *out);

/* Statistic: size and count of the blocks grouped under one traceback. */
typedef struct tracemalloc_statistic {
  const tracemalloc_traceback *traceback;
  size_t size;
  size_t count;
} tracemalloc_statistic;

typedef struct tracemalloc_statistics {
  tracemalloc_statistic *items;
  size_t count;
} tracemalloc_statistics;

/* Snapshot.statistics(key_type, cumulative): one statistic per group,
 * sorted from the biggest to the smallest by (size, count, traceback).
 * cumulative is only valid with the lineno and filename keys. */
tracemalloc_statistics *
tracemalloc_snapshot_statistics(const tracemalloc_snapshot *snapshot,
                                tracemalloc_key_type key_type, int cumulative);

/* The same with frames told apart by function as well: under the lineno
 * and traceback keys, two functions on one line (C++ template instances,
 * macros) are two groups, where Python's Frame makes one. The order is the
 * same, frames comparing as (filename, lineno, function). The filename key
 * gives the same groups as tracemalloc_snapshot_statistics(). TraceMalloc's
 * own outputs (tracemalloc traceback, the leak report, collapsed stacks,
 * the HTML report) use this. */
tracemalloc_statistics *tracemalloc_snapshot_statistics_by_function(
    const tracemalloc_snapshot *snapshot, tracemalloc_key_type key_type,
    int cumulative);

void tracemalloc_statistics_free(tracemalloc_statistics *statistics);

/* StatisticDiff: a group in the new snapshot compared with the old one. */
typedef struct tracemalloc_statistic_diff {
  const tracemalloc_traceback *traceback;
  size_t size;
  int64_t size_diff;
  size_t count;
  int64_t count_diff;
} tracemalloc_statistic_diff;

typedef struct tracemalloc_statistic_diffs {
  tracemalloc_statistic_diff *items;
  size_t count;
} tracemalloc_statistic_diffs;

/* Snapshot.compare_to(old_snapshot, key_type, cumulative): sorted from the
 * biggest to the smallest by (|size_diff|, size, |count_diff|, count,
 * traceback). Groups only in the old snapshot appear with size 0, count 0.
 * Valid while both snapshots are. */
tracemalloc_statistic_diffs *
tracemalloc_snapshot_compare_to(const tracemalloc_snapshot *snapshot,
                                const tracemalloc_snapshot *old_snapshot,
                                tracemalloc_key_type key_type, int cumulative);
void tracemalloc_statistic_diffs_free(tracemalloc_statistic_diffs *diffs);

/* ---- Allocation counters (TraceMalloc's own, after heaptrack) -----------
 * Per traceback, kept while tracing even after every block of it is freed
 * (until tracemalloc_clear_traces() or tracemalloc_stop()): allocations
 * (calls that returned a block; a successful realloc is one), bytes
 * allocated in all, and temporary allocations (heaptrack's definition:
 * blocks freed before the thread that allocated them allocated anything
 * else; a realloc frees its old block). Snapshots taken while tracing and
 * .tms files of version 3 carry them; a filtered snapshot keeps the
 * counters of the tracebacks its filters let through (domains are not
 * recorded with counters: domain filters keep them all). */
typedef enum tracemalloc_allocation_sort {
  TRACEMALLOC_SORT_ALLOCATED,
  TRACEMALLOC_SORT_ALLOCATIONS,
  TRACEMALLOC_SORT_TEMPORARY,
} tracemalloc_allocation_sort;

/* "allocated", "allocations" or "temporary": 0 and *out; -1 with the error
 * set otherwise. */
int tracemalloc_allocation_sort_parse(const char *name,
                                      tracemalloc_allocation_sort *out);

typedef struct tracemalloc_allocation_statistic {
  const tracemalloc_traceback *traceback;
  uint64_t allocations;
  uint64_t allocated;
  uint64_t temporary;
} tracemalloc_allocation_statistic;

typedef struct tracemalloc_allocation_statistics {
  tracemalloc_allocation_statistic *items;
  size_t count;
} tracemalloc_allocation_statistics;

/* 1 when the snapshot has allocation counters, 0 when not (a file written
 * before version 3, a snapshot built without them). */
int tracemalloc_snapshot_has_allocation_counts(
    const tracemalloc_snapshot *snapshot);

/* The counters grouped as tracemalloc_snapshot_statistics() groups traces
 * (lineno: the most recent frame; filename: its file; traceback: all the
 * frames), one record per group with a non-zero counter, biggest first by
 * sort, then by allocated, allocations, temporary and traceback, all
 * descending. NULL with the error set when the snapshot has no counters.
 * Valid while the snapshot is. */
tracemalloc_allocation_statistics *
tracemalloc_snapshot_allocations(const tracemalloc_snapshot *snapshot,
                                 tracemalloc_key_type key_type,
                                 tracemalloc_allocation_sort sort);
/* The same with frames of different functions on one line apart, as
 * tracemalloc_snapshot_statistics_by_function() groups (the pprof export). */
tracemalloc_allocation_statistics *tracemalloc_snapshot_allocations_by_function(
    const tracemalloc_snapshot *snapshot, tracemalloc_key_type key_type,
    tracemalloc_allocation_sort sort);
void tracemalloc_allocation_statistics_free(
    tracemalloc_allocation_statistics *statistics);

/* ---- Text ----------------------------------------------------------------
 * The format functions write like snprintf: at most bufsize bytes including
 * the terminating NUL, and return the length of the full text. */

/* Python's tracemalloc._format_size(size, sign): "10.0 KiB", "+512 B". */
int tracemalloc_format_size(char *buf, size_t bufsize, int64_t size, int sign);

/* str(frame): "FILE:LINE". */
int tracemalloc_frame_format(char *buf, size_t bufsize,
                             const tracemalloc_frame *frame);

/* str(statistic): "FILE:LINE: size=4855 KiB, count=39328, average=126 B". */
int tracemalloc_statistic_format(char *buf, size_t bufsize,
                                 const tracemalloc_statistic *statistic);

/* "FILE:LINE: allocations=1000, allocated=97.7 KiB, temporary=1000". */
int tracemalloc_allocation_statistic_format(
    char *buf, size_t bufsize,
    const tracemalloc_allocation_statistic *statistic);

/* str(statistic_diff):
 * "FILE:LINE: size=SIZE (+DIFF), count=N (+DCOUNT), average=AVG". */
int tracemalloc_statistic_diff_format(char *buf, size_t bufsize,
                                      const tracemalloc_statistic_diff *diff);

/* str(trace): "FILE:LINE: SIZE". */
int tracemalloc_trace_format(char *buf, size_t bufsize,
                             const tracemalloc_trace *trace);

/* str(traceback): the oldest frame, "FILE:LINE". */
int tracemalloc_traceback_str(char *buf, size_t bufsize,
                              const tracemalloc_traceback *traceback);

/* Traceback.format(limit, most_recent_first): the lines Python returns,
 * '  File "FILE", line N' and, when the source line can be read (files are
 * read once and cached), '    SOURCE' stripped. has_limit 0 is limit=None.
 * Returns a NULL-terminated array of lines, *nlines its length; free it with
 * tracemalloc_lines_free(). */
char **tracemalloc_traceback_format(const tracemalloc_traceback *traceback,
                                    int has_limit, int limit,
                                    int most_recent_first, size_t *nlines);

/* The same lines with each frame's function, as Python's traceback module
 * prints a stack (traceback.format_list()):
 * '  File "FILE", line N, in FUNCTION' (", in FUNCTION" left out when the
 * function is unknown) and the source line as above; a frame repeated more
 * than 3 times in a row (a recursion) is shown 3 times, then
 * '  [Previous line repeated N more times]'. TraceMalloc's own outputs use
 * this. */
char **tracemalloc_traceback_format_with_functions(
    const tracemalloc_traceback *traceback, int has_limit, int limit,
    int most_recent_first, size_t *nlines);

/* Frees the lines of either. */
void tracemalloc_lines_free(char **lines);

/* ---- Python interoperability ----------------------------------------------
 * Write the snapshot as a pickle that Python's own
 * tracemalloc.Snapshot.load() reads (protocol 2, see
 * docs/python-semantics.md, "The pickle export"). */
int tracemalloc_snapshot_dump_pickle(const tracemalloc_snapshot *snapshot,
                                     const char *path);

#ifdef __cplusplus
}
#endif

#endif /* TRACEMALLOC_H */
