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
 * A copy is made at every new peak (228 times in utils/bench/alloc_heavy.c
 * 400000 with PCT 1) and read only when a snapshot of the peak is taken,
 * which is rare. So it is a raw copy of the trace table (trace_table.c):
 * each shard's packed slots, empty ones included, and its overflow
 * records, one memcpy each, unpacked into entries only by that snapshot
 * (tm_peak_unpack_locked). Unpacking every slot at each copy, as snapshots
 * do, cost PCT 1 10.5% of the instructions of tracing without it on that
 * workload (callgrind, 632.3 M -> 699.0 M); the memcpy costs 5.2% (664.7
 * M), almost all of it in memcpy itself. The size of the set is traced
 * memory at the copy: with every shard lock held, the sum of the live
 * traces' sizes.
 *
 * The copy lives in pages from tm_os_map (it is made inside malloc and
 * free), kept while big enough, and holds traceback ids: the depot is reset
 * only by clear_traces and stop, with every shard lock held, and they drop
 * the copy first.
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
  size_t capacity;    /* bytes for raw */
  tm_trace_copy copy; /* all but the traces, which raw holds packed */
  tm_table_raw *raw;  /* in the same pages, after this header */
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

/* Room for a raw copy of size bytes: the pages kept, or bigger ones with
 * headroom. */
static struct kept *room_for(size_t size) {
  if (kept && kept->capacity >= size)
    return kept;
  if (kept)
    tm_os_unmap(kept, kept->map_size);
  size_t capacity = size + size / 2 + 4096;
  size_t map_size = sizeof(struct kept) + capacity;
  kept = tm_os_map(map_size);
  if (kept) {
    kept->map_size = map_size;
    kept->capacity = capacity;
    kept->raw = (tm_table_raw *)(kept + 1);
  }
  return kept;
}

void tm_peak_take_locked(void) {
  if (!atomic_exchange_explicit(&tm_peak_wanted, 0, memory_order_relaxed))
    return;
  struct kept *room = room_for(tm_table_raw_size_locked());
  kept_failed = !room;
  kept_size = 0;
  if (room) {
    room->copy.ntracebacks = tm_traceback_count();
    room->copy.limit = tracemalloc_get_traceback_limit();
    room->copy.lost = tracemalloc_get_lost_traces();
    room->copy.ntraces = tm_table_raw_copy_locked(room->raw);
    /* With every shard lock held, no change is under way: traced memory
     * is the sum of the sizes of the live traces. */
    tracemalloc_get_traced_memory(&kept_size, NULL);
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

int tm_peak_kept_locked(tm_trace_copy *copy) {
  if (!tm_peak_tracking()) {
    tm_set_error("the traces at the peak are kept only when the program "
                 "runs with TRACEMALLOC_PEAK set");
    return -1;
  }
  tm_peak_take_locked();
  if (kept_failed) {
    tm_set_error("out of memory while copying the traces at the peak");
    return -1;
  }
  if (kept)
    *copy = kept->copy;
  else /* Nothing was ever allocated: the peak set is empty. */
    *copy = (tm_trace_copy){.limit = tracemalloc_get_traceback_limit()};
  return 0;
}

void tm_peak_unpack_locked(tm_trace_entry *out) {
  if (kept)
    tm_table_raw_unpack(kept->raw, out);
}
