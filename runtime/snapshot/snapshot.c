/*
 * snapshot.c - snapshot objects and the builder that makes them.
 *
 * take_snapshot and the file loader both go through the builder, which
 * interns strings, frames and tracebacks so that a snapshot of ten million
 * traces holds each distinct traceback once, like CPython's traceback
 * table. Frames are interned by (filename, lineno, function), so that two
 * functions on one line stay apart; each knows its location, the frame that
 * stands for its (filename, lineno), which is how Python's Frame compares.
 */
#include "snapshot.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- Snapshot ---- */

void tracemalloc_snapshot_free(tracemalloc_snapshot *snapshot) {
  if (!snapshot)
    return;
  tm_arena_free(&snapshot->arena);
  tm_raw_free(snapshot->strings);
  tm_raw_free(snapshot->frames);
  tm_raw_free(snapshot->tracebacks);
  tm_raw_free(snapshot->counts);
  tm_raw_free(snapshot->timeline);
  if (snapshot->traces_owner_mapped)
    munmap(snapshot->traces_owner, snapshot->traces_owner_mapped);
  else
    tm_raw_free(snapshot->traces_owner ? snapshot->traces_owner
                                       : (void *)snapshot->traces);
  tm_raw_free(
      atomic_load_explicit(&snapshot->public_traces, memory_order_relaxed));
  tm_raw_free(snapshot->peak_traces);
  tm_raw_free(snapshot);
}

size_t tracemalloc_snapshot_trace_count(const tracemalloc_snapshot *snapshot) {
  return snapshot->ntraces;
}

/* The public array of traces, made at the first call. Two threads may both
 * make one: the first to publish it wins, the other frees its own. */
static const tracemalloc_trace *
public_traces(const tracemalloc_snapshot *snapshot) {
  /* A cache, not a change of the snapshot's value. */
  tracemalloc_snapshot *cache = (tracemalloc_snapshot *)snapshot;
  tracemalloc_trace *traces =
      atomic_load_explicit(&cache->public_traces, memory_order_acquire);
  if (traces)
    return traces;
  traces = tm_raw_malloc(snapshot->ntraces * sizeof(*traces));
  if (!traces) {
    tm_set_error("out of memory making the array of %zu traces",
                 snapshot->ntraces);
    return NULL;
  }
  for (size_t i = 0; i < snapshot->ntraces; i++)
    traces[i] = tm_snap_trace_at(snapshot, i);
  tracemalloc_trace *published = NULL;
  if (!atomic_compare_exchange_strong_explicit(
          &cache->public_traces, &published, traces, memory_order_acq_rel,
          memory_order_acquire)) {
    tm_raw_free(traces);
    return published;
  }
  return traces;
}

const tracemalloc_trace *
tracemalloc_snapshot_trace(const tracemalloc_snapshot *snapshot, size_t index) {
  if (index >= snapshot->ntraces) {
    tm_set_error("trace index %zu out of range (the snapshot has %zu traces)",
                 index, snapshot->ntraces);
    return NULL;
  }
  const tracemalloc_trace *traces = public_traces(snapshot);
  return traces ? &traces[index] : NULL;
}

unsigned int
tracemalloc_snapshot_traceback_limit(const tracemalloc_snapshot *snapshot) {
  return snapshot->traceback_limit;
}

uint64_t
tracemalloc_snapshot_lost_traces(const tracemalloc_snapshot *snapshot) {
  return snapshot->lost_traces;
}

/* ---- Builder ---- */

struct tm_snapshot_builder {
  tracemalloc_snapshot *snapshot;
  tm_hash_table strings;    /* of tm_snap_string */
  tm_hash_table frames;     /* of tm_snap_frame */
  tm_hash_table tracebacks; /* of tm_snap_traceback */
};

static void set_oom_error(const char *what) {
  tm_set_error("out of memory while building a snapshot (%s)", what);
}

/* Make room for one more element in a growing array. */
static int reserve_one(void **array, size_t count, size_t *capacity,
                       size_t element_size, size_t max_count) {
  if (count < *capacity)
    return 0;
  if (count >= max_count)
    return -1;
  size_t wanted = *capacity ? *capacity * 2 : 64;
  if (wanted > max_count)
    wanted = max_count;
  if (wanted > SIZE_MAX / element_size)
    return -1;
  void *bigger = tm_raw_realloc(*array, wanted * element_size);
  if (!bigger)
    return -1;
  *array = bigger;
  *capacity = wanted;
  return 0;
}

/* The object tables are indexed by 32 bits, as in the file format. */
static int reserve_index(void **array, uint32_t count, uint32_t *capacity,
                         size_t element_size) {
  size_t wide_capacity = *capacity;
  if (reserve_one(array, count, &wide_capacity, element_size, UINT32_MAX) < 0)
    return -1;
  *capacity = (uint32_t)wide_capacity;
  return 0;
}

tm_snapshot_builder *tm_builder_new(unsigned int traceback_limit,
                                    uint64_t lost_traces) {
  tm_snapshot_builder *builder = tm_raw_calloc(1, sizeof(*builder));
  tracemalloc_snapshot *snapshot = tm_raw_calloc(1, sizeof(*snapshot));
  if (!builder || !snapshot) {
    tm_raw_free(builder);
    tm_raw_free(snapshot);
    set_oom_error("snapshot");
    return NULL;
  }
  snapshot->traceback_limit = traceback_limit;
  snapshot->lost_traces = lost_traces;
  builder->snapshot = snapshot;
  if (tm_hash_table_init(&builder->strings, 0, &tm_raw_allocator) < 0 ||
      tm_hash_table_init(&builder->frames, 0, &tm_raw_allocator) < 0 ||
      tm_hash_table_init(&builder->tracebacks, 0, &tm_raw_allocator) < 0) {
    tm_builder_abort(builder);
    set_oom_error("hash tables");
    return NULL;
  }
  return builder;
}

typedef struct string_key {
  const char *text;
  size_t length;
} string_key;

static int string_equal(const void *entry, const void *key) {
  const tm_snap_string *string = entry;
  const string_key *wanted = key;
  return string->length == wanted->length &&
         memcmp(string->text, wanted->text, wanted->length) == 0;
}

static const char *intern_string(tm_snapshot_builder *builder,
                                 const char *text) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  string_key key = {text, strlen(text)};
  if (key.length >= UINT32_MAX) {
    tm_set_error("string of %zu bytes is too long for a snapshot", key.length);
    return NULL;
  }
  uint64_t hash = tm_hash_bytes(key.text, key.length);
  tm_hash_slot *slot =
      tm_hash_table_find(&builder->strings, hash, string_equal, &key);
  if (slot->entry)
    return ((tm_snap_string *)slot->entry)->text;

  /* A .tms file numbers strings with 31 bits (snapshot_file.c). */
  if (snapshot->nstrings >= INT32_MAX) {
    tm_set_error("a snapshot holds at most %d strings", INT32_MAX);
    return NULL;
  }
  tm_snap_string *string =
      tm_arena_alloc(&snapshot->arena, sizeof(tm_snap_string) + key.length + 1);
  if (!string ||
      reserve_index((void **)&snapshot->strings, snapshot->nstrings,
                    &snapshot->strings_capacity,
                    sizeof(*snapshot->strings)) < 0 ||
      tm_hash_table_insert(&builder->strings, slot, hash, string) < 0) {
    set_oom_error("strings");
    return NULL;
  }
  string->index = snapshot->nstrings;
  string->length = (uint32_t)key.length;
  memcpy(string->text, key.text, key.length + 1);
  snapshot->strings[snapshot->nstrings++] = string;
  return string->text;
}

typedef struct frame_key {
  const char *filename; /* interned */
  unsigned int lineno;
  const char *function; /* not interned: only compared when the rest is */
  unsigned int inlined;
} frame_key;

static int same_location(const void *entry, const void *key) {
  const tracemalloc_frame *frame = &((const tm_snap_frame *)entry)->frame;
  const frame_key *wanted = key;
  return frame->filename == wanted->filename && frame->lineno == wanted->lineno;
}

static int same_frame(const void *entry, const void *key) {
  const tracemalloc_frame *frame = &((const tm_snap_frame *)entry)->frame;
  const frame_key *wanted = key;
  return same_location(entry, key) &&
         ((const tm_snap_frame *)entry)->inlined == wanted->inlined &&
         strcmp(frame->function, wanted->function) == 0;
}

/* The frame standing for the key's (filename, lineno): the first one made
 * with them, or NULL. Frames of one location share the hash, which leaves
 * out the function: the few functions of one line are found by probing. */
static const tracemalloc_frame *
find_location(const tm_snapshot_builder *builder, uint64_t hash,
              const frame_key *key) {
  const tm_snap_frame *other =
      tm_hash_table_find(&builder->frames, hash, same_location, key)->entry;
  return other ? other->location : NULL;
}

static tm_snap_frame *new_frame(tm_snapshot_builder *builder,
                                tm_hash_slot *slot, uint64_t hash,
                                const frame_key *key) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  const char *function = intern_string(builder, key->function);
  if (!function)
    return NULL;
  const tracemalloc_frame *location = find_location(builder, hash, key);
  tm_snap_frame *frame = tm_arena_alloc(&snapshot->arena, sizeof(*frame));
  if (!frame ||
      reserve_index((void **)&snapshot->frames, snapshot->nframes,
                    &snapshot->frames_capacity,
                    sizeof(*snapshot->frames)) < 0 ||
      tm_hash_table_insert(&builder->frames, slot, hash, frame) < 0) {
    set_oom_error("frames");
    return NULL;
  }
  frame->frame.filename = key->filename;
  frame->frame.lineno = key->lineno;
  frame->frame.function = function;
  frame->location = location ? location : &frame->frame;
  frame->inlined = key->inlined;
  frame->index = snapshot->nframes;
  snapshot->frames[snapshot->nframes++] = frame;
  return frame;
}

const tracemalloc_frame *tm_builder_frame(tm_snapshot_builder *builder,
                                          const char *filename,
                                          unsigned int lineno,
                                          const char *function) {
  return tm_builder_frame_inlined(builder, filename, lineno, function, 0);
}

const tracemalloc_frame *tm_builder_frame_inlined(tm_snapshot_builder *builder,
                                                  const char *filename,
                                                  unsigned int lineno,
                                                  const char *function,
                                                  unsigned int inlined) {
  /* Python's frame for "nothing known" is ("<unknown>", 0). */
  frame_key key = {intern_string(builder, filename ? filename : "<unknown>"),
                   lineno, function ? function : "", inlined != 0};
  if (!key.filename)
    return NULL;
  uint64_t hash =
      tm_hash_mix(tm_hash_mix(0, (uint64_t)(uintptr_t)key.filename), lineno);
  tm_hash_slot *slot =
      tm_hash_table_find(&builder->frames, hash, same_frame, &key);
  tm_snap_frame *frame =
      slot->entry ? slot->entry : new_frame(builder, slot, hash, &key);
  return frame ? &frame->frame : NULL;
}

typedef struct traceback_key {
  const tracemalloc_frame *const *frames;
  unsigned int nframe;
  unsigned int total_nframe;
} traceback_key;

static int traceback_equal(const void *entry, const void *key) {
  const tracemalloc_traceback *traceback =
      &((const tm_snap_traceback *)entry)->traceback;
  const traceback_key *wanted = key;
  return traceback->nframe == wanted->nframe &&
         traceback->total_nframe == wanted->total_nframe &&
         memcmp(traceback->frames, wanted->frames,
                wanted->nframe * sizeof(*wanted->frames)) == 0;
}

const tracemalloc_traceback *
tm_builder_traceback(tm_snapshot_builder *builder,
                     const tracemalloc_frame *const *frames,
                     unsigned int nframe, unsigned int total_nframe) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  if (nframe < 1 || nframe > TRACEMALLOC_MAX_NFRAME) {
    tm_set_error("a traceback has 1 to %d frames, not %u",
                 TRACEMALLOC_MAX_NFRAME, nframe);
    return NULL;
  }
  traceback_key key = {frames, nframe, total_nframe};
  uint64_t hash =
      tm_hash_mix(tm_snap_hash_frames(frames, nframe, 0), total_nframe);
  tm_hash_slot *slot =
      tm_hash_table_find(&builder->tracebacks, hash, traceback_equal, &key);
  if (slot->entry)
    return &((tm_snap_traceback *)slot->entry)->traceback;

  tm_snap_traceback *traceback = tm_arena_alloc(
      &snapshot->arena,
      sizeof(tm_snap_traceback) + nframe * sizeof(traceback->frames[0]));
  if (!traceback ||
      reserve_index((void **)&snapshot->tracebacks, snapshot->ntracebacks,
                    &snapshot->tracebacks_capacity,
                    sizeof(*snapshot->tracebacks)) < 0 ||
      tm_hash_table_insert(&builder->tracebacks, slot, hash, traceback) < 0) {
    set_oom_error("tracebacks");
    return NULL;
  }
  memcpy(traceback->frames, frames, nframe * sizeof(frames[0]));
  traceback->traceback.frames = traceback->frames;
  traceback->traceback.nframe = nframe;
  traceback->traceback.total_nframe = total_nframe;
  traceback->index = snapshot->ntracebacks;
  traceback->locations_hash = tm_snap_hash_frames(frames, nframe, 1);
  snapshot->tracebacks[snapshot->ntracebacks++] = traceback;
  return &traceback->traceback;
}

int tm_builder_add_trace(tm_snapshot_builder *builder, unsigned int domain,
                         size_t size, const tracemalloc_traceback *traceback) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  if (reserve_one((void **)&snapshot->traces, snapshot->ntraces,
                  &snapshot->traces_capacity, sizeof(*snapshot->traces),
                  SIZE_MAX) < 0) {
    set_oom_error("traces");
    return -1;
  }
  tm_snap_trace *trace = &snapshot->traces[snapshot->ntraces++];
  trace->domain = domain;
  trace->size = size;
  trace->traceback = tm_snap_traceback_of(traceback)->index;
  return 0;
}

void tm_builder_adopt_traces(tm_snapshot_builder *builder,
                             tm_snap_trace *traces, size_t ntraces, void *owner,
                             size_t owner_mapped) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  tm_raw_free(snapshot->traces);
  snapshot->traces = traces;
  snapshot->ntraces = snapshot->traces_capacity = ntraces;
  snapshot->traces_owner = owner;
  snapshot->traces_owner_mapped = owner_mapped;
}

int tm_builder_reserve_traces(tm_snapshot_builder *builder, size_t count) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  if (count <= snapshot->traces_capacity)
    return 0;
  tm_snap_trace *traces =
      count <= SIZE_MAX / sizeof(*traces)
          ? tm_raw_realloc(snapshot->traces, count * sizeof(*traces))
          : NULL;
  if (!traces) {
    set_oom_error("traces");
    return -1;
  }
  snapshot->traces = traces;
  snapshot->traces_capacity = count;
  return 0;
}

int tracemalloc_frame_is_inlined(const tracemalloc_frame *frame) {
  return tm_snap_frame_of(frame)->inlined != 0;
}

tracemalloc_snapshot *tm_builder_snapshot(tm_snapshot_builder *builder) {
  return builder->snapshot;
}

tracemalloc_snapshot *tm_builder_finish(tm_snapshot_builder *builder) {
  tracemalloc_snapshot *snapshot = builder->snapshot;
  builder->snapshot = NULL;
  tm_builder_abort(builder);
  /* Doubling left up to half of the trace array unused: give it back. */
  if (!snapshot->traces_owner && snapshot->ntraces &&
      snapshot->ntraces < snapshot->traces_capacity) {
    tm_snap_trace *exact = tm_raw_realloc(
        snapshot->traces, snapshot->ntraces * sizeof(*snapshot->traces));
    if (exact) {
      snapshot->traces = exact;
      snapshot->traces_capacity = snapshot->ntraces;
    }
  }
  return snapshot;
}

void tm_builder_abort(tm_snapshot_builder *builder) {
  if (!builder)
    return;
  tm_hash_table_fini(&builder->strings);
  tm_hash_table_fini(&builder->frames);
  tm_hash_table_fini(&builder->tracebacks);
  tracemalloc_snapshot_free(builder->snapshot);
  tm_raw_free(builder);
}
