/*
 * timeline.c - traced memory over time, recorded while tracing at a cost
 * bounded in time and in memory. Snapshots carry a copy
 * (snapshot/timeline.c).
 *
 * When: tracer.c hands every new traced size, as the changing thread sees
 * it, to tm_timeline_above() (after an allocation) or tm_timeline_below()
 * (after a free): one relaxed load and one compare against the band
 * [low, high] around the last point. A size
 * outside the band takes the slow path below, which records a point
 * (clock_gettime) and moves the band to +-size/2^shift around it. shift is
 * FINE_SHIFT (1/128, under 1%) while points come at most one a millisecond;
 * each point that comes sooner halves it (down to 1/2), so that memory
 * swinging back and forth over a band costs a clock read per millisecond,
 * not per allocation. No clock is read on the hot path, so memory that
 * moves within the band makes no point however long it does so.
 *
 * The peak: the band lets memory rise by up to 1/128 unrecorded, which
 * would lose a high-water mark that is not followed by a rise. Before any
 * point, the peak tracer.c keeps is recorded (at the new point's time) if
 * it is above every recorded point: the largest point is the peak
 * tracemalloc_get_traced_memory() reports, to the tolerance tracer.c
 * explains for several threads.
 *
 * Memory: one mapping of CAPACITY points. When it fills, each two
 * neighbours merge into the bigger one (the peak survives every merge) and
 * from then on points are merged likewise, 2^level into one, as they come:
 * the whole run at a uniform resolution, in a bounded buffer.
 *
 * Locking: the slow path runs with a trace-table shard lock held, and
 * snapshots copy the timeline with all of them held, so a fork (which
 * holds them all) never catches lock held. Threads that meet on the slow
 * path do not wait: the one that finds lock taken skips its point, the
 * other moves the band.
 */
#include "tracer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

enum {
  CAPACITY = TM_TIMELINE_CAPACITY,
  FINE_SHIFT = 7,   /* a point per 1/128 of change */
  COARSE_SHIFT = 1, /* at most 1/2 */
};
static const uint64_t QUICK_NS = 1000000; /* points sooner are "fast" */

_Atomic size_t tm_timeline_low, tm_timeline_high;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static tracemalloc_timeline_point *points; /* CAPACITY, mapped once */
static size_t npoints;
static unsigned int level; /* each stored point merges 2^level points */
static tracemalloc_timeline_point group; /* the next one, being merged */
static size_t ngroup;
static tracemalloc_timeline_point last; /* the last point recorded */
static uint64_t recorded_max;
static unsigned int shift = FINE_SHIFT;
static uint64_t start_ns;

static uint64_t clock_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Each two neighbours become the bigger one (the later on a tie). */
static void halve(void) {
  for (size_t i = 0; i < CAPACITY / 2; i++) {
    const tracemalloc_timeline_point *a = &points[2 * i], *b = a + 1;
    points[i] = a->size > b->size ? *a : *b;
  }
  npoints = CAPACITY / 2;
  level++;
}

static void store(tracemalloc_timeline_point point) {
  if (npoints == CAPACITY)
    halve();
  points[npoints++] = point;
}

static void record(uint64_t ns, uint64_t size) {
  tracemalloc_timeline_point point = {ns, size};
  last = point;
  if (size > recorded_max)
    recorded_max = size;
  if (!points)
    return;
  if (level == 0) {
    store(point);
    return;
  }
  if (ngroup == 0 || point.size >= group.size)
    group = point;
  if (++ngroup == (size_t)1 << level) {
    ngroup = 0;
    store(group);
  }
}

static void move_band(size_t now) {
  size_t band = now >> shift;
  atomic_store_explicit(&tm_timeline_low, now - band, memory_order_relaxed);
  atomic_store_explicit(&tm_timeline_high, now + band, memory_order_relaxed);
}

/* With lock held: the peak if no point has reached it, then now. */
static void add_point(uint64_t ns, size_t now, size_t peak) {
  if (peak > recorded_max && peak > now)
    record(ns, peak);
  if (ns - last.nanoseconds < QUICK_NS) {
    if (shift > COARSE_SHIFT)
      shift--;
  } else {
    shift = FINE_SHIFT;
  }
  record(ns, now);
  move_band(now);
}

void tm_timeline_moved(size_t now, size_t peak) {
  /* A negative count (tracer.c): this thread freed what others have not
   * flushed yet. */
  if (now > SIZE_MAX / 2 || pthread_mutex_trylock(&lock) != 0)
    return;
  if (tm_timeline_above(now) || tm_timeline_below(now))
    add_point(clock_ns() - start_ns, now, peak);
  pthread_mutex_unlock(&lock);
}

void tm_timeline_restart(void) {
  pthread_mutex_lock(&lock);
  if (!points)
    points = tm_os_map(CAPACITY * sizeof(*points));
  npoints = 0;
  level = 0;
  ngroup = 0;
  recorded_max = 0;
  shift = FINE_SHIFT;
  start_ns = clock_ns();
  record(0, 0);
  move_band(0);
  pthread_mutex_unlock(&lock);
}

size_t tm_timeline_copy_locked(tracemalloc_timeline_point *out, size_t now,
                               size_t peak) {
  pthread_mutex_lock(&lock);
  add_point(clock_ns() - start_ns, now, peak);
  size_t count = 0;
  if (points) {
    count = npoints;
    memcpy(out, points, count * sizeof(*out));
  }
  if (ngroup)
    out[count++] = group;
  /* The last point may still be merging into a bigger one: the timeline
   * ends at the snapshot all the same. */
  if (count == 0 || memcmp(&out[count - 1], &last, sizeof(last)) != 0)
    out[count++] = last;
  pthread_mutex_unlock(&lock);
  return count;
}
