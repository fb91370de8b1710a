/*
 * statistics.c - Snapshot.statistics(): traces grouped by a key, sorted.
 *
 * Python's Snapshot._group_by() makes one Statistic per key:
 *  - lineno:    the most recent frame, as a traceback of one frame;
 *  - filename:  the most recent frame's file, as the frame (filename, 0);
 *  - traceback: all the stored frames (total_nframe is ignored).
 * With cumulative=True (lineno and filename only) every frame of a trace
 * adds the trace's size and 1 to the count of its group, so a frame that
 * occurs twice in one traceback counts twice: _group_by loops over the
 * frames without removing duplicates.
 *
 * The keys are the snapshot's interned objects, so a group is found by the
 * address of a frame or a filename, or by the frame addresses of a
 * traceback: one hash table lookup per trace (per frame when cumulative),
 * then one qsort. compare.c groups with the same code (tm_snap_group_by).
 *
 * Python's Frame is (filename, lineno), so Python's groups go by each
 * frame's location (snapshot.h), the frame standing for its filename and
 * lineno; TraceMalloc's own outputs group by the frames themselves, which
 * keeps two functions on one line apart (by_function).
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

int tracemalloc_key_type_parse(const char *name, tracemalloc_key_type *out) {
  static const struct {
    const char *name;
    tracemalloc_key_type key_type;
  } names[] = {
      {"lineno", TRACEMALLOC_KEY_LINENO},
      {"filename", TRACEMALLOC_KEY_FILENAME},
      {"traceback", TRACEMALLOC_KEY_TRACEBACK},
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].key_type;
      return 0;
    }
  }
  tm_set_error("unknown key_type: '%s'", name);
  return -1;
}

/* One statistic in the making. For the lineno key, key is the frame; for
 * the filename key, the (interned) filename; for the traceback key, the
 * traceback whose frames define the group (the first one seen: other
 * tracebacks with the same frames and another total_nframe join it). */
typedef struct group {
  const void *key;
  size_t size;
  size_t count;
} group;

typedef struct grouping {
  tracemalloc_key_type key_type;
  int by_function;     /* frames, not their locations */
  tm_hash_table table; /* of group */
  tm_arena arena;      /* the groups */
  /* Without cumulative, a trace's group depends on its traceback alone:
   * the group of each traceback of the snapshot (by its index), once
   * found, so that the next traces with that traceback skip the hash
   * table. NULL if it could not be allocated (then every trace looks up). */
  const tracemalloc_snapshot *snapshot;
  group **by_traceback;
} grouping;

static int same_address(const void *entry, const void *key) {
  return ((const group *)entry)->key == key;
}

static int same_frames(const void *entry, const void *key) {
  const tracemalloc_traceback *a = ((const group *)entry)->key;
  const tracemalloc_traceback *b = key;
  return a == b ||
         (a->nframe == b->nframe &&
          memcmp(a->frames, b->frames, a->nframe * sizeof(a->frames[0])) == 0);
}

static int same_locations(const void *entry, const void *key) {
  const tracemalloc_traceback *a = ((const group *)entry)->key;
  const tracemalloc_traceback *b = key;
  if (a == b)
    return 1;
  if (a->nframe != b->nframe)
    return 0;
  for (unsigned int i = 0; i < a->nframe; i++)
    if (tm_snap_location_of(a->frames[i]) != tm_snap_location_of(b->frames[i]))
      return 0;
  return 1;
}

typedef int (*group_equal)(const void *entry, const void *key);

static group_equal group_equality(const grouping *grouping) {
  if (grouping->key_type != TRACEMALLOC_KEY_TRACEBACK)
    return same_address;
  return grouping->by_function ? same_frames : same_locations;
}

/* The group of key, made empty if there is none yet. */
static group *find_group(grouping *grouping, const void *key, uint64_t hash) {
  tm_hash_slot *slot =
      tm_hash_table_find(&grouping->table, hash, group_equality(grouping), key);
  group *found = slot->entry;
  if (!found) {
    found = tm_arena_alloc(&grouping->arena, sizeof(*found));
    if (!found || tm_hash_table_insert(&grouping->table, slot, hash, found) < 0)
      return NULL;
    found->key = key;
    found->size = 0;
    found->count = 0;
  }
  return found;
}

static void add_trace(group *group, size_t size) {
  /* size_t cannot overflow before the process runs out of address
   * space many times over, unlike Python's unbounded int: no check. */
  group->size += size;
  group->count++;
}

static int add_to_group(grouping *grouping, const void *key, uint64_t hash,
                        size_t size) {
  group *found = find_group(grouping, key, hash);
  if (!found)
    return -1;
  add_trace(found, size);
  return 0;
}

/* The key of one frame under the lineno or filename key type. */
static const void *frame_key(const grouping *grouping,
                             const tracemalloc_frame *frame) {
  if (grouping->key_type == TRACEMALLOC_KEY_FILENAME)
    return frame->filename;
  return grouping->by_function ? frame : tm_snap_location_of(frame);
}

static group *find_trace_group(grouping *grouping,
                               const tracemalloc_traceback *traceback) {
  if (grouping->key_type == TRACEMALLOC_KEY_TRACEBACK) {
    uint64_t hash =
        grouping->by_function
            ? tm_snap_hash_frames(traceback->frames, traceback->nframe, 0)
            : tm_snap_traceback_of(traceback)->locations_hash;
    return find_group(grouping, traceback, hash);
  }
  const void *key =
      frame_key(grouping, traceback->frames[traceback->nframe - 1]);
  return find_group(grouping, key, tm_hash_pointer(key));
}

/* Without cumulative, a trace's group depends on its traceback alone: each
 * traceback's group is looked up once, at its first trace, then found by
 * the traceback's index, which the trace holds. The loop keeps what it
 * reads in locals: the stores into the groups could otherwise alias them,
 * and every trace would reload them. */
static int group_traces_by_traceback(grouping *grouping,
                                     const tracemalloc_snapshot *snapshot) {
  if (!snapshot->ntraces)
    return 0; /* traces may be NULL then, and NULL + 0 is undefined */
  group **by_traceback = grouping->by_traceback;
  const tm_snap_trace *trace = snapshot->traces;
  const tm_snap_trace *end = trace + snapshot->ntraces;
  for (; trace < end; trace++) {
    group *found = by_traceback[trace->traceback];
    if (!found) {
      found = find_trace_group(
          grouping, &snapshot->tracebacks[trace->traceback]->traceback);
      if (!found)
        return -1;
      by_traceback[trace->traceback] = found;
    }
    add_trace(found, (size_t)trace->size);
  }
  return 0;
}

/* The same when by_traceback could not be allocated: a lookup per trace. */
static int group_traces_by_lookup(grouping *grouping,
                                  const tracemalloc_snapshot *snapshot) {
  for (size_t i = 0; i < snapshot->ntraces; i++) {
    const tm_snap_trace *trace = &snapshot->traces[i];
    group *found = find_trace_group(
        grouping, &snapshot->tracebacks[trace->traceback]->traceback);
    if (!found)
      return -1;
    add_trace(found, (size_t)trace->size);
  }
  return 0;
}

static int group_trace_cumulative(grouping *grouping,
                                  const tracemalloc_trace *trace) {
  const tracemalloc_traceback *traceback = trace->traceback;
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    const void *key = frame_key(grouping, traceback->frames[i]);
    if (add_to_group(grouping, key, tm_hash_pointer(key), trace->size) < 0)
      return -1;
  }
  return 0;
}

static int group_traces(grouping *grouping,
                        const tracemalloc_snapshot *snapshot, int cumulative) {
  if (!cumulative)
    return grouping->by_traceback
               ? group_traces_by_traceback(grouping, snapshot)
               : group_traces_by_lookup(grouping, snapshot);
  for (size_t i = 0; i < snapshot->ntraces; i++) {
    tracemalloc_trace full = tm_snap_trace_at(snapshot, i);
    if (group_trace_cumulative(grouping, &full) < 0)
      return -1;
  }
  return 0;
}

/* ---- The result ----
 * One allocation holds the list and the tracebacks and frames it made up,
 * so tracemalloc_statistics_free() is one free(). The frames of the
 * tracebacks still point into the snapshot (frames of the lineno and
 * traceback keys, and every string), which is why the statistics must go
 * before the snapshot.
 *
 * total_nframe of a made-up traceback is 0: Python builds these
 * tracebacks with Traceback(frames), whose total_nframe is None. */
typedef struct statistics_layout {
  size_t items, tracebacks, frames, frame_pointers, total;
} statistics_layout;

static int layout_statistics(size_t ngroup, tracemalloc_key_type key_type,
                             statistics_layout *layout) {
  /* Every part is a multiple of 8 bytes long, so every part is aligned. */
  size_t nframe = key_type == TRACEMALLOC_KEY_FILENAME ? ngroup : 0;
  size_t npointer = key_type == TRACEMALLOC_KEY_TRACEBACK ? 0 : ngroup;
  if (ngroup > SIZE_MAX / 128)
    return -1;
  layout->items = sizeof(tracemalloc_statistics);
  layout->tracebacks = layout->items + ngroup * sizeof(tracemalloc_statistic);
  layout->frames = layout->tracebacks + ngroup * sizeof(tracemalloc_traceback);
  layout->frame_pointers = layout->frames + nframe * sizeof(tracemalloc_frame);
  layout->total =
      layout->frame_pointers + npointer * sizeof(const tracemalloc_frame *);
  return 0;
}

/* Turn group i into statistic i, making up its traceback. */
static void fill_statistic(char *block, const statistics_layout *layout,
                           tracemalloc_key_type key_type, size_t i,
                           const group *group) {
  tracemalloc_statistic *item =
      (tracemalloc_statistic *)(block + layout->items) + i;
  tracemalloc_traceback *traceback =
      (tracemalloc_traceback *)(block + layout->tracebacks) + i;
  const tracemalloc_frame **pointer =
      (const tracemalloc_frame **)(block + layout->frame_pointers) + i;

  traceback->total_nframe = 0;
  if (key_type == TRACEMALLOC_KEY_TRACEBACK) {
    const tracemalloc_traceback *key = group->key;
    traceback->frames = key->frames;
    traceback->nframe = key->nframe;
  } else if (key_type == TRACEMALLOC_KEY_LINENO) {
    *pointer = group->key;
    traceback->frames = pointer;
    traceback->nframe = 1;
  } else {
    tracemalloc_frame *frame =
        (tracemalloc_frame *)(block + layout->frames) + i;
    frame->filename = group->key;
    frame->lineno = 0;
    frame->function = "";
    *pointer = frame;
    traceback->frames = pointer;
    traceback->nframe = 1;
  }
  item->traceback = traceback;
  item->size = group->size;
  item->count = group->count;
}

/* Frames compare as (filename, lineno), as Python's Frame does, and then by
 * function (by_function), as tuples (filename, lineno, function) would. */
static int compare_frames(const tracemalloc_frame *a,
                          const tracemalloc_frame *b, int by_function) {
  if (a == b)
    return 0;
  if (a->filename != b->filename) {
    /* Python compares str by code point; on UTF-8 that is byte order,
     * which is what strcmp compares (as unsigned char). */
    int order = strcmp(a->filename, b->filename);
    if (order)
      return order;
  }
  if (a->lineno != b->lineno)
    return a->lineno > b->lineno ? 1 : -1;
  return by_function ? strcmp(a->function, b->function) : 0;
}

/* Tracebacks compare as tuples of frames, oldest first. */
static int compare_tracebacks(const tracemalloc_traceback *a,
                              const tracemalloc_traceback *b, int by_function) {
  unsigned int n = a->nframe < b->nframe ? a->nframe : b->nframe;
  for (unsigned int i = 0; i < n; i++) {
    int order = compare_frames(a->frames[i], b->frames[i], by_function);
    if (order)
      return order;
  }
  return (a->nframe > b->nframe) - (a->nframe < b->nframe);
}

int tm_snap_compare_tracebacks(const tracemalloc_traceback *a,
                               const tracemalloc_traceback *b) {
  return compare_tracebacks(a, b, 0);
}

/* Biggest first: descending (size, count, traceback). */
static int compare_statistics_as(const tracemalloc_statistic *a,
                                 const tracemalloc_statistic *b,
                                 int by_function) {
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  if (a->count != b->count)
    return a->count > b->count ? -1 : 1;
  return -compare_tracebacks(a->traceback, b->traceback, by_function);
}

static int compare_statistics(const void *a, const void *b) {
  return compare_statistics_as(a, b, 0);
}

static int compare_statistics_by_function(const void *a, const void *b) {
  return compare_statistics_as(a, b, 1);
}

static tracemalloc_statistics *make_statistics(const grouping *grouping) {
  statistics_layout layout;
  size_t ngroup = grouping->table.used;
  char *block = NULL;
  if (layout_statistics(ngroup, grouping->key_type, &layout) == 0)
    block = tm_raw_malloc(layout.total);
  if (!block)
    return NULL;
  size_t filled = 0;
  for (size_t slot = 0; slot <= grouping->table.mask; slot++) {
    const group *group = grouping->table.slots[slot].entry;
    if (group)
      fill_statistic(block, &layout, grouping->key_type, filled++, group);
  }
  tracemalloc_statistics *statistics = (tracemalloc_statistics *)block;
  statistics->items = (tracemalloc_statistic *)(block + layout.items);
  statistics->count = ngroup;
  return statistics;
}

tracemalloc_statistics *tm_snap_group_by(const tracemalloc_snapshot *snapshot,
                                         tracemalloc_key_type key_type,
                                         int cumulative, int by_function) {
  if (key_type != TRACEMALLOC_KEY_LINENO &&
      key_type != TRACEMALLOC_KEY_FILENAME &&
      key_type != TRACEMALLOC_KEY_TRACEBACK) {
    tm_set_error("unknown key_type: %d", (int)key_type);
    return NULL;
  }
  if (cumulative && key_type == TRACEMALLOC_KEY_TRACEBACK) {
    tm_set_error("cumulative mode cannot be used with key type 'traceback'");
    return NULL;
  }
  grouping grouping = {
      .key_type = key_type, .by_function = by_function, .snapshot = snapshot};
  if (!cumulative)
    grouping.by_traceback = tm_raw_calloc(
        snapshot->ntracebacks ? snapshot->ntracebacks : 1, sizeof(group *));
  tracemalloc_statistics *statistics = NULL;
  if (tm_hash_table_init(&grouping.table, 0, &tm_raw_allocator) == 0 &&
      group_traces(&grouping, snapshot, cumulative) == 0)
    statistics = make_statistics(&grouping);
  tm_hash_table_fini(&grouping.table);
  tm_arena_free(&grouping.arena);
  tm_raw_free(grouping.by_traceback);
  if (!statistics)
    tm_set_error("out of memory while computing statistics");
  return statistics;
}

static tracemalloc_statistics *
sorted_statistics(const tracemalloc_snapshot *snapshot,
                  tracemalloc_key_type key_type, int cumulative,
                  int by_function) {
  tracemalloc_statistics *statistics =
      tm_snap_group_by(snapshot, key_type, cumulative, by_function);
  if (statistics)
    qsort(statistics->items, statistics->count, sizeof(statistics->items[0]),
          by_function ? compare_statistics_by_function : compare_statistics);
  return statistics;
}

tracemalloc_statistics *
tracemalloc_snapshot_statistics(const tracemalloc_snapshot *snapshot,
                                tracemalloc_key_type key_type, int cumulative) {
  return sorted_statistics(snapshot, key_type, cumulative, 0);
}

tracemalloc_statistics *tracemalloc_snapshot_statistics_by_function(
    const tracemalloc_snapshot *snapshot, tracemalloc_key_type key_type,
    int cumulative) {
  return sorted_statistics(snapshot, key_type, cumulative, 1);
}

void tracemalloc_statistics_free(tracemalloc_statistics *statistics) {
  tm_raw_free(statistics);
}
