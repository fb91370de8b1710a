/*
 * allocations.c - allocation counters per traceback in a snapshot: their
 * storage, their .tms section (tag 2) and
 * tracemalloc_snapshot_allocations(), which groups them.
 *
 * The tracer counts per traceback of its depot (tracer/alloc_counts.c); a
 * snapshot keeps them by its own traceback index. Equal tracebacks merge
 * in a snapshot (the builder interns them), so counters are always added,
 * never set.
 *
 * Grouping reuses statistics.c: one pseudo-trace per counted traceback,
 * whose size is the bytes allocated, grouped by tm_snap_group_by() exactly
 * as traces are (so the keys and the made-up tracebacks are Python's);
 * then each traceback's other counters are added to the group of its key.
 */
#include "sections.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void tm_snap_enable_counts(tracemalloc_snapshot *snapshot) {
  snapshot->has_counts = 1;
}

int tm_snap_add_counts(tracemalloc_snapshot *snapshot, uint32_t traceback,
                       const tm_snap_counts *add) {
  snapshot->has_counts = 1;
  if (traceback >= snapshot->ncounts) {
    uint64_t capacity = snapshot->ncounts ? snapshot->ncounts : 64;
    while (capacity <= traceback)
      capacity *= 2;
    if (capacity > UINT32_MAX)
      capacity = UINT32_MAX;
    tm_snap_counts *grown =
        tm_raw_realloc(snapshot->counts, capacity * sizeof(*grown));
    if (!grown) {
      tm_set_error("out of memory while adding allocation counters");
      return -1;
    }
    memset(grown + snapshot->ncounts, 0,
           (capacity - snapshot->ncounts) * sizeof(*grown));
    snapshot->counts = grown;
    snapshot->ncounts = (uint32_t)capacity;
  }
  tm_snap_counts *counts = &snapshot->counts[traceback];
  counts->allocations += add->allocations;
  counts->allocated += add->allocated;
  counts->temporary += add->temporary;
  return 0;
}

const tm_snap_counts *tm_snap_counts_of(const tracemalloc_snapshot *snapshot,
                                        uint32_t traceback) {
  if (traceback >= snapshot->ncounts)
    return NULL;
  const tm_snap_counts *counts = &snapshot->counts[traceback];
  return counts->allocations || counts->allocated || counts->temporary ? counts
                                                                       : NULL;
}

int tracemalloc_snapshot_has_allocation_counts(
    const tracemalloc_snapshot *snapshot) {
  return snapshot->has_counts;
}

/* ---- The .tms section ----
 * u32 count, then count records { u32 traceback index, u64 allocations,
 * u64 allocated, u64 temporary }, for the tracebacks whose counters are
 * not all zero. The section is written whenever the snapshot has counters,
 * even none non-zero: its presence says that they were kept. */
#define RECORD_SIZE 28u

static uint32_t counted_tracebacks(const tracemalloc_snapshot *snapshot) {
  uint32_t count = 0;
  for (uint32_t i = 0; i < snapshot->ntracebacks; i++)
    count += tm_snap_counts_of(snapshot, i) != NULL;
  return count;
}

static uint64_t counts_size(const tracemalloc_snapshot *snapshot) {
  if (!snapshot->has_counts)
    return 0;
  return 4 + (uint64_t)counted_tracebacks(snapshot) * RECORD_SIZE;
}

static void counts_write(tm_section_writer *writer,
                         const tracemalloc_snapshot *snapshot) {
  tm_section_put_u32(writer, counted_tracebacks(snapshot));
  for (uint32_t i = 0; i < snapshot->ntracebacks; i++) {
    const tm_snap_counts *counts = tm_snap_counts_of(snapshot, i);
    if (!counts)
      continue;
    tm_section_put_u32(writer, i);
    tm_section_put_u64(writer, counts->allocations);
    tm_section_put_u64(writer, counts->allocated);
    tm_section_put_u64(writer, counts->temporary);
  }
}

static int read_record(tm_section_reader *reader,
                       tracemalloc_snapshot *snapshot,
                       const tm_section_indices *indices) {
  uint32_t traceback;
  tm_snap_counts counts;
  if (tm_section_get_u32(reader, &traceback) < 0 ||
      tm_section_get_u64(reader, &counts.allocations) < 0 ||
      tm_section_get_u64(reader, &counts.allocated) < 0 ||
      tm_section_get_u64(reader, &counts.temporary) < 0)
    return -1;
  if (traceback >= indices->ntracebacks)
    return tm_section_error(reader,
                            "traceback index %" PRIu32 " out of range (%" PRIu64
                            " tracebacks)",
                            traceback, indices->ntracebacks);
  if (counts.temporary > counts.allocations)
    return tm_section_error(reader,
                            "traceback %" PRIu32 " has more temporary "
                            "allocations than allocations",
                            traceback);
  return tm_snap_add_counts(snapshot, indices->tracebacks[traceback], &counts);
}

static int counts_read(tm_section_reader *reader,
                       tracemalloc_snapshot *snapshot,
                       const tm_section_indices *indices) {
  uint32_t count;
  if (tm_section_get_u32(reader, &count) < 0)
    return -1;
  if (tm_section_check_count(reader, count, 0, RECORD_SIZE, "records") < 0)
    return -1;
  tm_snap_enable_counts(snapshot);
  for (uint32_t i = 0; i < count; i++)
    if (read_record(reader, snapshot, indices) < 0)
      return -1;
  return 0;
}

TM_HIDDEN const tm_section_type tm_allocation_counts_section = {
    .tag = 2,
    .name = "allocation counters",
    .size = counts_size,
    .write = counts_write,
    .read = counts_read,
};

/* ---- Grouping ---- */

int tracemalloc_allocation_sort_parse(const char *name,
                                      tracemalloc_allocation_sort *out) {
  static const struct {
    const char *name;
    tracemalloc_allocation_sort sort;
  } names[] = {
      {"allocated", TRACEMALLOC_SORT_ALLOCATED},
      {"allocations", TRACEMALLOC_SORT_ALLOCATIONS},
      {"temporary", TRACEMALLOC_SORT_TEMPORARY},
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].sort;
      return 0;
    }
  }
  tm_set_error("unknown sort key: '%s' (allocated, allocations or temporary)",
               name);
  return -1;
}

/* The result, with the statistics whose made-up tracebacks it points to. */
typedef struct allocations_result {
  tracemalloc_allocation_statistics public;
  tracemalloc_statistics *groups;
} allocations_result;

/* The key of a traceback's group, as statistics.c groups Python's way: the
 * location (filename, lineno) of the most recent frame (lineno), its
 * filename (filename) or the traceback, whose frames' locations are
 * compared (traceback). The made-up traceback of a group has the same key
 * as the tracebacks grouped under it. */
typedef struct group_key {
  tracemalloc_key_type key_type;
  int by_function; /* frames themselves, not their locations */
  const void *key;
  uint64_t hash;
} group_key;

static const tracemalloc_frame *frame_key(const tracemalloc_frame *frame,
                                          int by_function) {
  return by_function ? frame : tm_snap_location_of(frame);
}

static group_key key_of(tracemalloc_key_type key_type, int by_function,
                        const tracemalloc_traceback *traceback) {
  const tracemalloc_frame *recent = traceback->frames[traceback->nframe - 1];
  group_key key = {key_type, by_function, traceback, 0};
  if (key_type == TRACEMALLOC_KEY_LINENO)
    key.key = frame_key(recent, by_function);
  else if (key_type == TRACEMALLOC_KEY_FILENAME)
    key.key = recent->filename;
  if (key_type == TRACEMALLOC_KEY_TRACEBACK)
    key.hash =
        tm_snap_hash_frames(traceback->frames, traceback->nframe, !by_function);
  else
    key.hash = tm_hash_pointer(key.key);
  return key;
}

static int same_key(const void *entry, const void *key_arg) {
  const tracemalloc_allocation_statistic *item = entry;
  const group_key *key = key_arg;
  group_key mine = key_of(key->key_type, key->by_function, item->traceback);
  if (key->key_type != TRACEMALLOC_KEY_TRACEBACK)
    return mine.key == key->key;
  const tracemalloc_traceback *a = item->traceback, *b = key->key;
  if (a->nframe != b->nframe)
    return 0;
  for (unsigned int i = 0; i < a->nframe; i++) {
    if (frame_key(a->frames[i], key->by_function) !=
        frame_key(b->frames[i], key->by_function))
      return 0;
  }
  return 1;
}

/* The pseudo-traces: one per counted traceback, of its bytes allocated. */
static tm_snap_trace *counted_traces(const tracemalloc_snapshot *snapshot,
                                     size_t *ntraces) {
  tm_snap_trace *traces =
      tm_raw_malloc((snapshot->ntracebacks + 1) * sizeof(*traces));
  *ntraces = 0;
  for (uint32_t i = 0; traces && i < snapshot->ntracebacks; i++) {
    const tm_snap_counts *counts = tm_snap_counts_of(snapshot, i);
    if (counts)
      traces[(*ntraces)++] = (tm_snap_trace){0, i, counts->allocated};
  }
  return traces;
}

/* Items from the groups: allocated from the grouping, the other counters
 * added by key. */
static int fill_items(allocations_result *result,
                      const tracemalloc_snapshot *snapshot,
                      tracemalloc_key_type key_type, int by_function) {
  tm_hash_table table;
  if (tm_hash_table_init(&table, result->groups->count, &tm_raw_allocator) < 0)
    return -1;
  int status = 0;
  for (size_t i = 0; status == 0 && i < result->groups->count; i++) {
    tracemalloc_allocation_statistic *item = &result->public.items[i];
    *item =
        (tracemalloc_allocation_statistic){result->groups->items[i].traceback,
                                           0, result->groups->items[i].size, 0};
    group_key key = key_of(key_type, by_function, item->traceback);
    tm_hash_slot *slot = tm_hash_table_find(&table, key.hash, same_key, &key);
    status = tm_hash_table_insert(&table, slot, key.hash, item);
  }
  for (uint32_t i = 0; status == 0 && i < snapshot->ntracebacks; i++) {
    const tm_snap_counts *counts = tm_snap_counts_of(snapshot, i);
    if (!counts)
      continue;
    group_key key =
        key_of(key_type, by_function, &snapshot->tracebacks[i]->traceback);
    tracemalloc_allocation_statistic *item =
        tm_hash_table_find(&table, key.hash, same_key, &key)->entry;
    item->allocations += counts->allocations;
    item->temporary += counts->temporary;
  }
  tm_hash_table_fini(&table);
  return status;
}

static int compare_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

/* Biggest first: descending (first, allocated, allocations, temporary,
 * traceback). */
static int compare_items(const tracemalloc_allocation_statistic *a,
                         const tracemalloc_allocation_statistic *b, int first) {
  int order = first;
  if (!order)
    order = compare_u64(a->allocated, b->allocated);
  if (!order)
    order = compare_u64(a->allocations, b->allocations);
  if (!order)
    order = compare_u64(a->temporary, b->temporary);
  if (!order)
    order = tm_snap_compare_tracebacks(a->traceback, b->traceback);
  return -order;
}

static int by_allocated(const void *left, const void *right) {
  return compare_items(left, right, 0);
}

static int by_allocations(const void *left, const void *right) {
  const tracemalloc_allocation_statistic *a = left, *b = right;
  return compare_items(a, b, compare_u64(a->allocations, b->allocations));
}

static int by_temporary(const void *left, const void *right) {
  const tracemalloc_allocation_statistic *a = left, *b = right;
  return compare_items(a, b, compare_u64(a->temporary, b->temporary));
}

static void sort_items(tracemalloc_allocation_statistics *statistics,
                       tracemalloc_allocation_sort sort) {
  qsort(statistics->items, statistics->count, sizeof(statistics->items[0]),
        sort == TRACEMALLOC_SORT_ALLOCATIONS ? by_allocations
        : sort == TRACEMALLOC_SORT_TEMPORARY ? by_temporary
                                             : by_allocated);
}

static tracemalloc_allocation_statistics *
group_allocations(const tracemalloc_snapshot *snapshot,
                  tracemalloc_key_type key_type,
                  tracemalloc_allocation_sort sort, int by_function) {
  if (!snapshot->has_counts) {
    tm_set_error("the snapshot has no allocation counters");
    return NULL;
  }
  if (sort != TRACEMALLOC_SORT_ALLOCATED &&
      sort != TRACEMALLOC_SORT_ALLOCATIONS &&
      sort != TRACEMALLOC_SORT_TEMPORARY) {
    tm_set_error("unknown sort key: %d", (int)sort);
    return NULL;
  }
  tracemalloc_snapshot pseudo = *snapshot;
  pseudo.traces = counted_traces(snapshot, &pseudo.ntraces);
  allocations_result *result = tm_raw_calloc(1, sizeof(*result));
  if (!pseudo.traces || !result) {
    tm_raw_free(pseudo.traces);
    tm_raw_free(result);
    tm_set_error("out of memory while grouping allocation counters");
    return NULL;
  }
  result->groups = tm_snap_group_by(&pseudo, key_type, 0, by_function);
  tm_raw_free(pseudo.traces);
  if (result->groups) {
    result->public.count = result->groups->count;
    result->public.items =
        tm_raw_calloc(result->public.count + 1, sizeof(*result->public.items));
    if (!result->public.items ||
        fill_items(result, snapshot, key_type, by_function) < 0) {
      tracemalloc_allocation_statistics_free(&result->public);
      tm_set_error("out of memory while grouping allocation counters");
      return NULL;
    }
    sort_items(&result->public, sort);
    return &result->public;
  }
  tm_raw_free(result);
  return NULL;
}

void tracemalloc_allocation_statistics_free(
    tracemalloc_allocation_statistics *statistics) {
  if (!statistics)
    return;
  allocations_result *result = (allocations_result *)statistics;
  tm_raw_free(result->public.items);
  tracemalloc_statistics_free(result->groups);
  tm_raw_free(result);
}

tracemalloc_allocation_statistics *
tracemalloc_snapshot_allocations(const tracemalloc_snapshot *snapshot,
                                 tracemalloc_key_type key_type,
                                 tracemalloc_allocation_sort sort) {
  return group_allocations(snapshot, key_type, sort, 0);
}

tracemalloc_allocation_statistics *tracemalloc_snapshot_allocations_by_function(
    const tracemalloc_snapshot *snapshot, tracemalloc_key_type key_type,
    tracemalloc_allocation_sort sort) {
  return group_allocations(snapshot, key_type, sort, 1);
}
