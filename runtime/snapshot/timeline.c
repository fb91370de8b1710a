/*
 * timeline.c - a snapshot's traced memory over time: the public accessor,
 * the copy the snapshot keeps, and its .tms section (tag 3, sections.h):
 *
 *   u64 count, count x { u64 nanoseconds, u64 bytes }
 *
 * with nanoseconds since tracing started, never decreasing. The tracer
 * records the points (tracer/timeline.c); a snapshot only carries them.
 */
#include "sections.h"
#include "snapshot.h"

#include <inttypes.h>
#include <string.h>

enum { POINT_SIZE = 16 };

const tracemalloc_timeline_point *
tracemalloc_snapshot_timeline(const tracemalloc_snapshot *snapshot,
                              size_t *count) {
  *count = snapshot->ntimeline;
  return snapshot->timeline;
}

int tm_snap_set_timeline(tracemalloc_snapshot *snapshot,
                         const tracemalloc_timeline_point *points,
                         size_t count) {
  tm_raw_free(snapshot->timeline);
  snapshot->timeline = NULL;
  snapshot->ntimeline = 0;
  if (count == 0)
    return 0;
  snapshot->timeline = tm_raw_malloc(count * sizeof(*points));
  if (!snapshot->timeline) {
    tm_set_error("out of memory copying a timeline of %zu points", count);
    return -1;
  }
  memcpy(snapshot->timeline, points, count * sizeof(*points));
  snapshot->ntimeline = count;
  return 0;
}

/* ---- The section ---- */

static uint64_t timeline_size(const tracemalloc_snapshot *snapshot) {
  return snapshot->ntimeline ? 8 + POINT_SIZE * (uint64_t)snapshot->ntimeline
                             : 0;
}

static void timeline_write(tm_section_writer *writer,
                           const tracemalloc_snapshot *snapshot) {
  tm_section_put_u64(writer, snapshot->ntimeline);
  for (size_t i = 0; i < snapshot->ntimeline; i++) {
    tm_section_put_u64(writer, snapshot->timeline[i].nanoseconds);
    tm_section_put_u64(writer, snapshot->timeline[i].size);
  }
}

static int timeline_read(tm_section_reader *reader,
                         tracemalloc_snapshot *snapshot,
                         const tm_section_indices *indices) {
  (void)indices;
  uint64_t count;
  if (tm_section_get_u64(reader, &count) < 0)
    return -1;
  if (tm_section_check_count(reader, count, 1, POINT_SIZE, "points") < 0)
    return -1;
  tracemalloc_timeline_point *points =
      tm_raw_malloc((size_t)count * sizeof(*points));
  if (!points)
    return tm_section_error(reader, "out of memory");
  for (uint64_t i = 0; i < count; i++) {
    tm_section_get_u64(reader, &points[i].nanoseconds);
    tm_section_get_u64(reader, &points[i].size);
    if (i > 0 && points[i].nanoseconds < points[i - 1].nanoseconds) {
      tm_raw_free(points);
      return tm_section_error(reader, "point %" PRIu64 " goes back in time", i);
    }
  }
  tm_raw_free(snapshot->timeline);
  snapshot->timeline = points;
  snapshot->ntimeline = (size_t)count;
  return 0;
}

const tm_section_type tm_timeline_section = {
    .tag = 3,
    .name = "timeline",
    .size = timeline_size,
    .write = timeline_write,
    .read = timeline_read,
};
