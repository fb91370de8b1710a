/*
 * take_snapshot.c - the live traces as snapshot objects: take_snapshot() and
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

static void copy_entry(const tm_trace_entry *entry, void *arg) {
  tm_trace_copy *copy = arg;
  copy->traces[copy->ntraces++] = *entry;
}

void tm_copy_traces_locked(tm_trace_copy *copy) {
  copy->ntraces = 0;
  copy->ntracebacks = tm_traceback_count();
  copy->limit = tracemalloc_get_traceback_limit();
  copy->lost = tracemalloc_get_lost_traces();
  tm_table_foreach_locked(copy_entry, copy);
  if (copy->timeline) {
    size_t now, peak;
    tracemalloc_get_traced_memory(&now, &peak);
    copy->ntimeline = tm_timeline_copy_locked(copy->timeline, now, peak);
  }
}

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
        tm_builder_frame(builder, site->filename, site->lineno, site->function);
    if (!scratch[i])
      return NULL;
  }
  return tm_builder_traceback(builder, scratch, nframe, tb->total_nframe);
}

tracemalloc_snapshot *tm_build_snapshot(const tm_trace_copy *copy) {
  tm_snapshot_builder *builder = tm_builder_new(copy->limit, copy->lost);
  const tracemalloc_traceback **by_id =
      tm_raw_calloc(copy->ntracebacks ? copy->ntracebacks : 1, sizeof(*by_id));
  const tracemalloc_frame **scratch =
      tm_raw_malloc(TRACEMALLOC_MAX_NFRAME * sizeof(*scratch));
  int ok = builder && by_id && scratch &&
           tm_builder_reserve_traces(builder, copy->ntraces) == 0 &&
           tm_snap_set_timeline(tm_builder_snapshot(builder), copy->timeline,
                                copy->ntimeline) == 0;
  for (size_t i = 0; ok && i < copy->ntraces; i++) {
    const tm_trace_entry *t = &copy->traces[i];
    if (!by_id[t->traceback_id])
      by_id[t->traceback_id] =
          build_traceback(builder, t->traceback_id, scratch);
    ok = by_id[t->traceback_id] &&
         tm_builder_add_trace(builder, t->domain, t->size,
                              by_id[t->traceback_id]) == 0;
  }
  tm_raw_free(by_id);
  tm_raw_free(scratch);
  if (!ok) {
    if (builder)
      tm_builder_abort(builder);
    else
      tm_set_error("out of memory while taking a snapshot");
    return NULL;
  }
  return tm_builder_finish(builder);
}

tracemalloc_snapshot *tracemalloc_take_snapshot(void) {
  tm_control_lock();
  if (!atomic_load_explicit(&__tm_tracing, memory_order_relaxed)) {
    tm_control_unlock();
    tm_set_error("the tracemalloc module must be tracing memory allocations "
                 "to take a snapshot");
    return NULL;
  }
  tm_trace_copy copy = {0};
  tm_table_lock_all();
  size_t ntraces = tm_table_count_locked();
  copy.traces = tm_raw_malloc((ntraces ? ntraces : 1) * sizeof(tm_trace_entry));
  copy.timeline =
      tm_raw_malloc(TM_TIMELINE_COPY_MAX * sizeof(tracemalloc_timeline_point));
  if (copy.traces && copy.timeline)
    tm_copy_traces_locked(&copy);
  tm_table_unlock_all();

  tracemalloc_snapshot *snapshot = NULL;
  if (!copy.traces || !copy.timeline)
    tm_set_error("out of memory while taking a snapshot");
  else
    snapshot = tm_build_snapshot(&copy);
  tm_control_unlock();
  tm_raw_free(copy.traces);
  tm_raw_free(copy.timeline);
  return snapshot;
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
  tm_shard *shard = tm_table_lock(0, addr);
  int found = tm_table_find(shard, 0, addr, &entry);
  if (found)
    result = copy_traceback(tm_traceback_get(entry.traceback_id));
  tm_table_unlock(shard);
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
