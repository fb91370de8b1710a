/*
 * peak_copy.c - the traces live at the peak of traced memory, kept while
 * tracing when TRACEMALLOC_PEAK=PCT is set (massif's --peak-inaccuracy).
 *
 * The set live at a high-water mark is the set live just before the first
 * decrease that follows it. So a rise of traced memory past the threshold
 * -- the size of the set kept last, plus PCT percent -- only raises
 * tm_peak_wanted (add_traced, tracer.c); the next event that lowers traced
 * memory (a free, the take of a realloc) sees the flag at its top and
 * copies the live traces first, with every shard lock held, as capture.c
 * does for requested snapshots. Until then the live set is the one at the
 * highest point, so a snapshot of the peak taken meanwhile copies the live
 * set. With PCT 0 the set kept is exact; with PCT > 0 a rise under the
 * threshold is not copied, so its size is within PCT percent of the true
 * peak and a program whose peak creeps up copies it at most once per PCT
 * percent of growth.
 *
 * Each free of a program that never sets a new peak costs one relaxed load
 * of a flag that stays 0; an allocation costs nothing more unless it sets a
 * new peak (one load and compare). Without TRACEMALLOC_PEAK the threshold
 * is SIZE_MAX and the flag never rises.
 *
 * The copy lives in pages from tm_os_map (it is made inside malloc and free)
 * and holds traceback ids: the depot is reset only by clear_traces and stop,
 * with every shard lock held, and they drop the copy first.
 */
#include "tracer.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

_Atomic int tm_peak_wanted;
_Atomic size_t tm_peak_threshold = SIZE_MAX;

static _Atomic int tracking;
static unsigned int inaccuracy; /* PCT */

/* The set kept: every field with every shard lock held. */
struct kept {
  size_t map_size;
  size_t capacity; /* traces */
  tm_trace_copy copy;
  tm_trace_entry traces[];
};
static struct kept *kept;
static size_t kept_size; /* traced memory of the set kept */
static int kept_failed;  /* the last copy could not be mapped */

/* The threshold a rise must pass to be copied: PCT percent above size. */
static size_t threshold_above(size_t size) {
  size_t above = size / 100 * inaccuracy + size % 100 * inaccuracy / 100;
  return size + above < size ? SIZE_MAX : size + above;
}

void tm_peak_track(unsigned int percent) {
  inaccuracy = percent;
  atomic_store_explicit(&tracking, 1, memory_order_relaxed);
  /* Nothing kept yet: the first allocation is a rise. */
  atomic_store_explicit(&tm_peak_threshold, 0, memory_order_relaxed);
}

int tm_peak_tracking(void) {
  return atomic_load_explicit(&tracking, memory_order_relaxed);
}

/* With a shard lock held, or none (reset_peak): a copy made at any time
 * from now until the next decrease is the set at the highest point. */
void tm_peak_mark(void) {
  if (!tm_peak_tracking())
    return;
  atomic_store_explicit(&tm_peak_threshold, SIZE_MAX, memory_order_relaxed);
  atomic_store_explicit(&tm_peak_wanted, 1, memory_order_relaxed);
}

/* Room for count traces: the pages kept, or bigger ones with headroom. */
static struct kept *room_for(size_t count) {
  if (kept && kept->capacity >= count)
    return kept;
  if (kept)
    tm_os_unmap(kept, kept->map_size);
  size_t capacity = count + count / 2 + 64;
  size_t map_size = sizeof(struct kept) + capacity * sizeof(tm_trace_entry);
  kept = tm_os_map(map_size);
  if (kept) {
    kept->map_size = map_size;
    kept->capacity = capacity;
  }
  return kept;
}

void tm_peak_take_locked(void) {
  if (!atomic_exchange_explicit(&tm_peak_wanted, 0, memory_order_relaxed))
    return;
  struct kept *room = room_for(tm_table_count_locked());
  kept_failed = !room;
  kept_size = 0;
  if (room) {
    room->copy.traces = room->traces;
    kept_size = tm_copy_traces_locked(&room->copy);
  }
  atomic_store_explicit(&tm_peak_threshold, threshold_above(kept_size),
                        memory_order_relaxed);
}

void tm_peak_take(void) {
  int saved_errno = errno;
  tm_table_lock_all();
  tm_peak_take_locked();
  tm_table_unlock_all();
  errno = saved_errno;
}

void tm_peak_clear_locked(void) {
  if (kept)
    tm_os_unmap(kept, kept->map_size);
  kept = NULL;
  kept_size = 0;
  kept_failed = 0;
  atomic_store_explicit(&tm_peak_wanted, 0, memory_order_relaxed);
  atomic_store_explicit(&tm_peak_threshold, tm_peak_tracking() ? 0 : SIZE_MAX,
                        memory_order_relaxed);
}

const tm_trace_copy *tm_peak_kept_locked(void) {
  if (!tm_peak_tracking()) {
    tm_set_error("the traces at the peak are kept only when the program "
                 "runs with TRACEMALLOC_PEAK set");
    return NULL;
  }
  tm_peak_take_locked();
  if (kept_failed) {
    tm_set_error("out of memory while copying the traces at the peak");
    return NULL;
  }
  if (!kept) {
    /* Nothing was ever allocated: the peak set is empty. */
    static tm_trace_copy empty;
    empty.limit = tracemalloc_get_traceback_limit();
    return &empty;
  }
  return &kept->copy;
}
