/*
 * take_snapshot.c - the live traces as snapshot objects: take_snapshot(),
 * take_peak_snapshot() (the traces peak_copy.c keeps) and
 * get_object_traceback().
 *
 * Apart from tracer.c because it is the one place where the tracer meets the
 * snapshot library: it reads the trace table and the depot and hands what it
 * finds to the snapshot builder (snapshot/snapshot.c), so the recording path
 * never depends on the snapshot objects.
 */
#include "snapshot.h"
#include "tracer.h"

#include <stdatomic.h>
#include <string.h>

/* ---- Snapshots ----
 * Copy the traces with every shard locked, then build the snapshot objects
 * with the locks released, so allocating threads wait only for the copy.
 * control_lock stays held throughout: the depot cannot be reset meanwhile,
 * and tracebacks are immutable, so the copied ids stay valid. */

/* A traceback as snapshot objects: frames reversed to oldest first, as
 * Python's Traceback stores them. */
static const tracemalloc_traceback *
build_traceback(tm_snapshot_builder *builder, uint32_t id,
                const tracemalloc_frame **scratch) {
  const tm_traceback *tb = tm_traceback_get(id);
  unsigned int nframe = tb->nframe;
  for (unsigned int i = 0; i < nframe; i++) {
    tm_site_t site = tb->frames[nframe - 1 - i];
    scratch[i] =
        tm_builder_frame_inlined(builder, site->filename, site->lineno,
                                 site->function, site->inlined_at != NULL);
    if (!scratch[i])
      return NULL;
  }
  return tm_builder_traceback(builder, scratch, nframe, tb->total_nframe);
}

/* The tracebacks already made, by depot id, and a frame buffer: for one
 * builder, shared by the live traces and the traces at the peak. */
typedef struct built {
  tm_snapshot_builder *builder;
  const tracemalloc_traceback **by_id;
  const tracemalloc_frame **scratch;
} built;

static const tracemalloc_traceback *built_traceback(built *built, uint32_t id) {
  if (!built->by_id[id])
    built->by_id[id] = build_traceback(built->builder, id, built->scratch);
  return built->by_id[id];
}

static int build_traces(built *built, const tm_trace_copy *copy) {
  if (tm_builder_reserve_traces(built->builder, copy->ntraces) < 0)
    return -1;
  for (size_t i = 0; i < copy->ntraces; i++) {
    const tm_trace_entry *t = &copy->traces[i];
    const tracemalloc_traceback *traceback =
        built_traceback(built, t->traceback_id);
    if (!traceback ||
        tm_builder_add_trace(built->builder, t->domain, t->size, traceback) < 0)
      return -1;
  }
  return 0;
}

static int build_peak_traces(built *built, const tm_trace_copy *copy) {
  tracemalloc_snapshot *snapshot = tm_builder_snapshot(built->builder);
  if (tm_snap_reserve_peak_traces(snapshot, copy->ntraces) < 0)
    return -1;
  for (size_t i = 0; i < copy->ntraces; i++) {
    const tm_trace_entry *t = &copy->traces[i];
    const tracemalloc_traceback *traceback =
        built_traceback(built, t->traceback_id);
    if (!traceback)
      return -1;
    tm_snap_add_peak_trace(snapshot, t->domain, t->size, traceback);
  }
  return 0;
}

/* The counters of every traceback that has some, whether or not a block of
 * it is still live: the traceback joins the snapshot for them. */
static int add_counts(built *built, const tm_trace_copy *copy) {
  if (!copy->counts)
    return 0;
  tracemalloc_snapshot *snapshot = tm_builder_snapshot(built->builder);
  tm_snap_enable_counts(snapshot);
  for (uint32_t id = 0; id < copy->ntracebacks; id++) {
    const tm_alloc_counts *counts = &copy->counts[id];
    if (!counts->allocations && !counts->temporary)
      continue;
    const tracemalloc_traceback *traceback = built_traceback(built, id);
    tm_snap_counts add = {counts->allocations, counts->allocated,
                          counts->temporary};
    if (!traceback ||
        tm_snap_add_counts(snapshot, tm_snap_traceback_of(traceback)->index,
                           &add) < 0)
      return -1;
  }
  return 0;
}

/* The snapshot of copy, and of peak (NULL: none) as its traces at the
 * peak; the depot must be as it was at both copies. */
static tracemalloc_snapshot *build_snapshot(const tm_trace_copy *copy,
                                            const tm_trace_copy *peak) {
  /* The depot only grows between the two copies. */
  uint32_t nids = copy->ntracebacks;
  if (peak && peak->ntracebacks > nids)
    nids = peak->ntracebacks;
  built built = {
      .builder = tm_builder_new(copy->limit, copy->lost),
      .by_id = tm_raw_calloc(nids ? nids : 1, sizeof(*built.by_id)),
      .scratch = tm_raw_malloc(TRACEMALLOC_MAX_NFRAME * sizeof(*built.scratch)),
  };
  int ok = built.builder && built.by_id && built.scratch &&
           tm_snap_set_timeline(tm_builder_snapshot(built.builder),
                                copy->timeline, copy->ntimeline) == 0 &&
           build_traces(&built, copy) == 0 &&
           (!peak || build_peak_traces(&built, peak) == 0) &&
           add_counts(&built, copy) == 0;
  tm_raw_free(built.by_id);
  tm_raw_free(built.scratch);
  if (!ok) {
    if (built.builder)
      tm_builder_abort(built.builder);
    else
      tm_set_error("out of memory while taking a snapshot");
    return NULL;
  }
  return tm_builder_finish(built.builder);
}

tracemalloc_snapshot *tm_build_snapshot(const tm_trace_copy *copy,
                                        const tm_trace_copy *peak) {
  return build_snapshot(copy, peak);
}

/* With every shard lock held: a copy of the traces at the peak that
 * outlives the locks (the next decrease may replace the tracer's), unpacked
 * from the tracer's raw copy, or -1 with the error set. */
static int copy_peak_locked(tm_trace_copy *peak) {
  if (tm_peak_kept_locked(peak) < 0)
    return -1;
  peak->traces = tm_raw_malloc((peak->ntraces ? peak->ntraces : 1) *
                               sizeof(tm_trace_entry));
  if (!peak->traces) {
    tm_set_error("out of memory while taking a snapshot");
    return -1;
  }
  tm_peak_unpack_locked(peak->traces);
  return 0;
}

/* With every shard lock held: the live traces and the allocation counters
 * into new arrays. */
static int copy_live_locked(tm_trace_copy *copy) {
  size_t ntraces = tm_table_count_locked();
  copy->traces =
      tm_raw_malloc((ntraces ? ntraces : 1) * sizeof(tm_trace_entry));
  copy->counts =
      tm_raw_malloc((tm_traceback_count() + 1) * sizeof(tm_alloc_counts));
  copy->timeline =
      tm_raw_malloc(TM_TIMELINE_COPY_MAX * sizeof(tracemalloc_timeline_point));
  if (!copy->traces || !copy->counts || !copy->timeline) {
    tm_set_error("out of memory while taking a snapshot");
    return -1;
  }
  tm_copy_traces_locked(copy);
  return 0;
}

enum which { LIVE, PEAK };

/* take_snapshot (LIVE: the live traces, and the traces at the peak when
 * they are kept) and take_peak_snapshot (PEAK: those alone). Both record
 * the peak of traced memory. */
static tracemalloc_snapshot *take(enum which which) {
  tm_control_lock();
  if (!atomic_load_explicit(&__tm_tracing, memory_order_relaxed)) {
    tm_control_unlock();
    tm_set_error("the tracemalloc module must be tracing memory allocations "
                 "to take a snapshot");
    return NULL;
  }
  tm_trace_copy live = {0}, peak = {0};
  size_t traced_peak;
  tm_table_lock_all();
  int ok;
  if (which == PEAK) {
    ok = copy_peak_locked(&peak) == 0;
  } else {
    ok = copy_live_locked(&live) == 0;
    /* Without the memory for them, the snapshot has no traces at the
     * peak, and take_peak_snapshot says why. */
    if (ok && tm_peak_tracking() && copy_peak_locked(&peak) < 0)
      peak.traces = NULL;
  }
  tracemalloc_get_traced_memory(NULL, &traced_peak);
  tm_table_unlock_all();

  tracemalloc_snapshot *snapshot = NULL;
  if (ok)
    snapshot = which == PEAK
                   ? build_snapshot(&peak, NULL)
                   : build_snapshot(&live, peak.traces ? &peak : NULL);
  if (snapshot)
    tm_snap_set_peak(snapshot, traced_peak);
  tm_control_unlock();
  tm_raw_free(live.traces);
  tm_raw_free(live.counts);
  tm_raw_free(live.timeline);
  tm_raw_free(peak.traces);
  return snapshot;
}

tracemalloc_snapshot *tracemalloc_take_snapshot(void) { return take(LIVE); }

tracemalloc_snapshot *tracemalloc_take_peak_snapshot(void) {
  return take(PEAK);
}

/* ---- get_object_traceback ---- */

/* A traceback with its frames and strings in one allocation, so the caller
 * frees it with one call and it outlives the tracer's tables. */
static tracemalloc_traceback *copy_traceback(const tm_traceback *tb) {
  unsigned int nframe = tb->nframe;
  size_t strings = 0;
  for (unsigned int i = 0; i < nframe; i++)
    strings += strlen(tb->frames[i]->filename) + 1 +
               strlen(tb->frames[i]->function ? tb->frames[i]->function : "") +
               1;
  size_t size =
      sizeof(tracemalloc_traceback) +
      nframe * (sizeof(tracemalloc_frame *) + sizeof(tracemalloc_frame)) +
      strings;
  tracemalloc_traceback *copy = tm_raw_malloc(size);
  if (!copy) {
    tm_set_error("out of memory");
    return NULL;
  }
  const tracemalloc_frame **pointers = (const tracemalloc_frame **)(copy + 1);
  tracemalloc_frame *frames = (tracemalloc_frame *)(pointers + nframe);
  char *text = (char *)(frames + nframe);
  /* The depot stores the most recent frame first; a traceback lists the
   * oldest first. */
  for (unsigned int i = 0; i < nframe; i++) {
    tm_site_t site = tb->frames[nframe - 1 - i];
    const char *function = site->function ? site->function : "";
    frames[i].filename = strcpy(text, site->filename);
    text += strlen(text) + 1;
    frames[i].function = strcpy(text, function);
    text += strlen(text) + 1;
    frames[i].lineno = site->lineno;
    pointers[i] = &frames[i];
  }
  copy->frames = pointers;
  copy->nframe = nframe;
  copy->total_nframe = tb->total_nframe;
  return copy;
}

tracemalloc_traceback *tracemalloc_get_object_traceback(const void *ptr) {
  tm_set_error("");
  if (!tracemalloc_is_tracing())
    return NULL;
  uintptr_t addr = (uintptr_t)ptr;
  tracemalloc_traceback *result = NULL;

  /* The start of a block of the C library's domain: one shard lock, which
   * also keeps the depot from being reset while the traceback is copied. */
  tm_trace_entry entry;
  tm_table_key key;
  tm_table_key_init(&key, 0, addr);
  tm_table_lock(&key);
  int found = tm_table_find(&key, &entry);
  if (found)
    result = copy_traceback(tm_traceback_get(entry.traceback_id));
  tm_table_unlock(&key);
  if (found)
    return result;

  /* An interior pointer, or another domain: scan every block. */
  tm_control_lock();
  tm_table_lock_all();
  if (tm_table_find_containing_locked(addr, &entry))
    result = copy_traceback(tm_traceback_get(entry.traceback_id));
  tm_table_unlock_all();
  tm_control_unlock();
  return result;
}

void tracemalloc_traceback_free(tracemalloc_traceback *traceback) {
  tm_raw_free(traceback);
}
