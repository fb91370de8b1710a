/*
 * capture.c - exact snapshots asked for where none can be taken: in a signal
 * handler (TRACEMALLOC_DUMP_SIGNAL) and by the allocation that makes traced
 * memory cross a step (TRACEMALLOC_DUMP_EVERY), with a shard lock held.
 *
 * A request only counts itself and raises tm_capture_wanted (both lock-free
 * atomics: async-signal-safe). The first trace event after it, in any
 * thread -- tm_record_alloc, tm_record_free, the take and put-back of a
 * realloc, clear and stop -- sees the flag at its top (one relaxed load) and
 * copies the live traces, with every shard lock held, before it makes its
 * own change: the copy is the live set at the request. The dump thread,
 * woken by the request, makes the copy itself if no event came first (then
 * nothing has changed since). Requests that arrive before one copy share it.
 *
 * The copy runs inside the malloc and free of any thread: it takes pages
 * from tm_os_map, never malloc, and goes on a queue guarded by the shard
 * locks. The snapshot is built later, from the copy (tm_capture_next). A
 * copy holds traceback ids, valid until the depot is reset: copies are
 * built with control_lock held, and clear and stop, which reset the depot
 * with control_lock held, first build every copy still queued
 * (tm_capture_settle_locked).
 */
#include "snapshot.h"
#include "tracer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

static _Atomic unsigned long requests_made;
/* Requests that a copy answers, or that failed: with every shard lock. */
static unsigned long requests_taken;
/* Requests whose copy could not be mapped. */
static _Atomic unsigned long requests_failed;

struct capture {
  struct capture *next;
  size_t map_size;
  unsigned long requests; /* how many requests this copy answers */
  int tracing;            /* 0: made while not tracing, an error */
  int built;              /* snapshot (or error) below is the result */
  tracemalloc_snapshot *snapshot;
  char error[160];
  size_t traced_peak; /* the peak of traced memory at the copy */
  int with_peak;      /* peak below holds the traces at the peak */
  tm_trace_copy copy;
  tm_trace_copy peak;
  tm_trace_entry traces[]; /* copy's, then peak's */
};

/* FIFO, with every shard lock held. */
static struct capture *queue_head;
static struct capture **queue_tail = &queue_head;

static void take(void);
static void settle_locked(void);
static void forget_in_child(void);

/* What the tracer calls back (tracer.c): it never calls this file itself. */
static const tm_capture_hooks hooks = {take, settle_locked, forget_in_child};

void tm_capture_request(void) {
  tm_set_capture_hooks(&hooks); /* one atomic store: async-signal-safe */
  atomic_fetch_add_explicit(&requests_made, 1, memory_order_relaxed);
  atomic_store_explicit(&tm_capture_wanted, 1, memory_order_release);
}

void tm_capture_take_locked(int tracing) {
  if (!atomic_exchange_explicit(&tm_capture_wanted, 0, memory_order_acquire))
    return;
  /* A request counted after the flag was raised again, but before this
   * read, is answered here, and leaves the flag raised for nothing: the
   * next take finds no request to answer. */
  unsigned long made =
      atomic_load_explicit(&requests_made, memory_order_relaxed);
  unsigned long requests = made - requests_taken;
  requests_taken = made;
  if (requests == 0)
    return;
  size_t ntraces = tracing ? tm_table_count_locked() : 0;
  uint32_t ntracebacks = tracing ? tm_traceback_count() : 0;
  /* A numbered dump carries the traces at the peak as they are at the
   * request, as a snapshot taken then would (TRACEMALLOC_PEAK). */
  tm_trace_copy peak = {0};
  int with_peak =
      tracing && tm_peak_tracking() && tm_peak_kept_locked(&peak) == 0;
  size_t npeak = with_peak ? peak.ntraces : 0;
  size_t timeline_at = sizeof(struct capture) +
                       (ntraces + npeak) * sizeof(tm_trace_entry) +
                       ntracebacks * sizeof(tm_alloc_counts);
  size_t map_size =
      timeline_at + TM_TIMELINE_COPY_MAX * sizeof(tracemalloc_timeline_point);
  struct capture *capture = tm_os_map(map_size);
  if (!capture) {
    atomic_fetch_add_explicit(&requests_failed, requests, memory_order_relaxed);
    return;
  }
  /* The mapping is zero-filled. */
  capture->map_size = map_size;
  capture->requests = requests;
  capture->tracing = tracing;
  capture->copy.traces = capture->traces;
  capture->copy.counts = (tm_alloc_counts *)(capture->traces + ntraces + npeak);
  capture->copy.timeline =
      (tracemalloc_timeline_point *)((char *)capture + timeline_at);
  if (tracing) {
    tm_copy_traces_locked(&capture->copy);
    tracemalloc_get_traced_memory(NULL, &capture->traced_peak);
  }
  if (with_peak) {
    capture->with_peak = 1;
    capture->peak = peak;
    capture->peak.traces = capture->traces + ntraces;
    tm_peak_unpack_locked(capture->peak.traces);
  }
  *queue_tail = capture;
  queue_tail = &capture->next;
}

static void take(void) {
  int saved_errno = errno;
  tm_table_lock_all();
  tm_capture_take_locked(
      atomic_load_explicit(&__tm_tracing, memory_order_relaxed));
  tm_table_unlock_all();
  errno = saved_errno;
}

/* With control_lock held and the depot as it was at the copy. */
static void build(struct capture *capture) {
  if (!capture->tracing)
    tm_set_error("the tracemalloc module must be tracing memory allocations "
                 "to take a snapshot");
  else
    capture->snapshot = tm_build_snapshot(
        &capture->copy, capture->with_peak ? &capture->peak : NULL);
  if (capture->snapshot)
    tm_snap_set_peak(capture->snapshot, capture->traced_peak);
  if (!capture->snapshot)
    snprintf(capture->error, sizeof(capture->error), "%s",
             tracemalloc_last_error());
  capture->built = 1;
}

static void settle_locked(void) {
  tm_capture_take_locked(1);
  for (struct capture *capture = queue_head; capture; capture = capture->next)
    if (!capture->built)
      build(capture);
}

int tm_capture_next(tracemalloc_snapshot **snapshot, unsigned long *requests) {
  unsigned long failed =
      atomic_exchange_explicit(&requests_failed, 0, memory_order_relaxed);
  if (failed) {
    tm_set_error("out of memory while copying the traces");
    *snapshot = NULL;
    *requests = failed;
    return 1;
  }
  tm_control_lock();
  tm_table_lock_all();
  struct capture *capture = queue_head;
  if (capture) {
    queue_head = capture->next;
    if (!queue_head)
      queue_tail = &queue_head;
  }
  tm_table_unlock_all();
  if (capture && !capture->built)
    build(capture);
  tm_control_unlock();
  if (!capture)
    return 0;
  *snapshot = capture->snapshot;
  if (!*snapshot)
    tm_set_error("%s", capture->error);
  *requests = capture->requests;
  tm_os_unmap(capture, capture->map_size);
  return 1;
}

static void forget_in_child(void) {
  while (queue_head) {
    struct capture *capture = queue_head;
    queue_head = capture->next;
    tracemalloc_snapshot_free(capture->snapshot);
    tm_os_unmap(capture, capture->map_size);
  }
  queue_tail = &queue_head;
  atomic_store_explicit(&tm_capture_wanted, 0, memory_order_relaxed);
  requests_taken = atomic_load_explicit(&requests_made, memory_order_relaxed);
  atomic_store_explicit(&requests_failed, 0, memory_order_relaxed);
}
