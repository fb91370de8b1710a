/*
 * compare.c - Snapshot.compare_to(): the statistics of two snapshots,
 * group by group.
 *
 * Python's _compare_grouped_stats() walks the groups of the new snapshot,
 * taking the group with an equal traceback out of the old one: a group
 * found there gives the differences, one not found is all new (diff = its
 * size and count). The groups left in the old snapshot are gone: size 0,
 * count 0, negative diffs. Then one sort by StatisticDiff._sort_key.
 *
 * The two snapshots intern their objects separately, so a group of one
 * is found in the other by value: the hash is computed from the file names'
 * bytes and the line numbers, and equality is tm_snap_compare_tracebacks().
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

/* The result owns the two statistics lists its tracebacks point into. The
 * public struct comes first, so the user's pointer converts back. */
typedef struct diffs_owner {
  tracemalloc_statistic_diffs diffs;
  tracemalloc_statistics *new_groups;
  tracemalloc_statistics *old_groups;
} diffs_owner;

static uint64_t traceback_value_hash(const tracemalloc_traceback *traceback) {
  uint64_t h = traceback->nframe;
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    const tracemalloc_frame *frame = traceback->frames[i];
    h = tm_hash_mix(h, tm_hash_bytes(frame->filename, strlen(frame->filename)));
    h = tm_hash_mix(h, frame->lineno);
  }
  return h;
}

static int same_traceback(const void *entry, const void *key) {
  const tracemalloc_statistic *statistic = entry;
  return tm_snap_compare_tracebacks(statistic->traceback, key) == 0;
}

/* Signed differences of unsigned totals: wraps like the two's complement
 * it is stored in, which only matters past 2**63 bytes. */
static int64_t difference(size_t now, size_t before) {
  return (int64_t)((uint64_t)now - (uint64_t)before);
}

static uint64_t magnitude(int64_t value) {
  return value < 0 ? -(uint64_t)value : (uint64_t)value;
}

static int compare_unsigned(uint64_t a, uint64_t b) {
  return (a > b) - (a < b);
}

/* Biggest first: descending (|size_diff|, size, |count_diff|, count,
 * traceback). */
static int compare_diffs(const void *left, const void *right) {
  const tracemalloc_statistic_diff *a = left;
  const tracemalloc_statistic_diff *b = right;
  int order =
      compare_unsigned(magnitude(a->size_diff), magnitude(b->size_diff));
  if (!order)
    order = compare_unsigned(a->size, b->size);
  if (!order)
    order =
        compare_unsigned(magnitude(a->count_diff), magnitude(b->count_diff));
  if (!order)
    order = compare_unsigned(a->count, b->count);
  if (!order)
    order = tm_snap_compare_tracebacks(a->traceback, b->traceback);
  return -order;
}

/* The old groups by value; taken[i] says old group i has a new match. */
typedef struct old_index {
  tm_hash_table table; /* of tracemalloc_statistic, in old_groups */
  unsigned char *taken;
} old_index;

static int index_old_groups(old_index *index,
                            const tracemalloc_statistics *old_groups) {
  index->taken = tm_raw_calloc(old_groups->count + 1, 1);
  if (!index->taken || tm_hash_table_init(&index->table, old_groups->count,
                                          &tm_raw_allocator) < 0)
    return -1;
  for (size_t i = 0; i < old_groups->count; i++) {
    tracemalloc_statistic *statistic = &old_groups->items[i];
    uint64_t hash = traceback_value_hash(statistic->traceback);
    /* Groups are distinct by value: the slot is always empty. */
    tm_hash_slot *slot = tm_hash_table_find(&index->table, hash, same_traceback,
                                            statistic->traceback);
    if (tm_hash_table_insert(&index->table, slot, hash, statistic) < 0)
      return -1;
  }
  return 0;
}

static void diff_new_group(tracemalloc_statistic_diff *diff,
                           const tracemalloc_statistic *group, old_index *index,
                           const tracemalloc_statistics *old_groups) {
  const tracemalloc_statistic *previous =
      tm_hash_table_find(&index->table, traceback_value_hash(group->traceback),
                         same_traceback, group->traceback)
          ->entry;
  size_t old_size = 0, old_count = 0;
  if (previous) {
    index->taken[previous - old_groups->items] = 1;
    old_size = previous->size;
    old_count = previous->count;
  }
  diff->traceback = group->traceback;
  diff->size = group->size;
  diff->size_diff = difference(group->size, old_size);
  diff->count = group->count;
  diff->count_diff = difference(group->count, old_count);
}

static void fill_diffs(diffs_owner *owner, old_index *index) {
  const tracemalloc_statistics *new_groups = owner->new_groups;
  const tracemalloc_statistics *old_groups = owner->old_groups;
  tracemalloc_statistic_diff *items = owner->diffs.items;
  size_t n = 0;
  for (size_t i = 0; i < new_groups->count; i++)
    diff_new_group(&items[n++], &new_groups->items[i], index, old_groups);
  for (size_t i = 0; i < old_groups->count; i++) {
    const tracemalloc_statistic *gone = &old_groups->items[i];
    if (index->taken[i])
      continue;
    items[n++] = (tracemalloc_statistic_diff){gone->traceback, 0,
                                              difference(0, gone->size), 0,
                                              difference(0, gone->count)};
  }
  owner->diffs.count = n;
}

static diffs_owner *new_owner(const tracemalloc_snapshot *snapshot,
                              const tracemalloc_snapshot *old_snapshot,
                              tracemalloc_key_type key_type, int cumulative) {
  diffs_owner *owner = tm_raw_calloc(1, sizeof(*owner));
  if (!owner) {
    tm_set_error("out of memory while comparing snapshots");
    return NULL;
  }
  owner->new_groups = tm_snap_group_by(snapshot, key_type, cumulative, 0);
  if (owner->new_groups)
    owner->old_groups = tm_snap_group_by(old_snapshot, key_type, cumulative, 0);
  if (!owner->old_groups) {
    tracemalloc_statistic_diffs_free(&owner->diffs);
    return NULL;
  }
  size_t most = owner->new_groups->count + owner->old_groups->count;
  owner->diffs.items =
      most < SIZE_MAX / sizeof(owner->diffs.items[0])
          ? tm_raw_malloc((most + 1) * sizeof(owner->diffs.items[0]))
          : NULL;
  if (!owner->diffs.items) {
    tracemalloc_statistic_diffs_free(&owner->diffs);
    tm_set_error("out of memory while comparing snapshots");
    return NULL;
  }
  return owner;
}

tracemalloc_statistic_diffs *
tracemalloc_snapshot_compare_to(const tracemalloc_snapshot *snapshot,
                                const tracemalloc_snapshot *old_snapshot,
                                tracemalloc_key_type key_type, int cumulative) {
  diffs_owner *owner = new_owner(snapshot, old_snapshot, key_type, cumulative);
  if (!owner)
    return NULL;
  old_index index = {0};
  int ok = index_old_groups(&index, owner->old_groups) == 0;
  if (ok)
    fill_diffs(owner, &index);
  tm_hash_table_fini(&index.table);
  tm_raw_free(index.taken);
  if (!ok) {
    tracemalloc_statistic_diffs_free(&owner->diffs);
    tm_set_error("out of memory while comparing snapshots");
    return NULL;
  }
  qsort(owner->diffs.items, owner->diffs.count, sizeof(owner->diffs.items[0]),
        compare_diffs);
  return &owner->diffs;
}

void tracemalloc_statistic_diffs_free(tracemalloc_statistic_diffs *diffs) {
  if (!diffs)
    return;
  diffs_owner *owner = (diffs_owner *)diffs;
  tracemalloc_statistics_free(owner->new_groups);
  tracemalloc_statistics_free(owner->old_groups);
  tm_raw_free(owner->diffs.items);
  tm_raw_free(owner);
}
