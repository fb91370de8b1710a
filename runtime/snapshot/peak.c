/*
 * peak.c - the peak a snapshot records: the high-water mark of traced
 * memory when it was taken and, when the program ran with TRACEMALLOC_PEAK,
 * the traces live at that mark (kept by the tracer's peak_copy.c). In a
 * .tms file, the peak section (tag 1, sections.h):
 *
 *   u64 peak         traced memory's high-water mark, in bytes
 *   u32 flags        bit 0: the traces at the peak follow; no other bit
 *   u32 reserved     0
 *   with bit 0:
 *   u64 trace_count
 *   trace_count x { u32 domain, u32 traceback index, u64 size }
 *
 * The traces at the peak refer to the file's traceback table, which holds
 * the tracebacks of both sets. tracemalloc_snapshot_peak() (filter.c) makes
 * a snapshot of them.
 */
#include "sections.h"
#include "snapshot.h"

#include <inttypes.h>

enum {
  PEAK_HEADER_SIZE = 16,    /* peak, flags, reserved */
  PEAK_COUNT_SIZE = 8,      /* trace_count */
  PEAK_TRACE_SIZE = 16,     /* domain, traceback, size */
  PEAK_FLAG_TRACES = 1 << 0 /* the traces at the peak follow */
};

/* ---- The snapshot's peak ---- */

void tm_snap_set_peak(tracemalloc_snapshot *snapshot, uint64_t peak) {
  snapshot->has_peak = 1;
  snapshot->peak = peak;
}

int tm_snap_reserve_peak_traces(tracemalloc_snapshot *snapshot, size_t count) {
  tm_snap_trace *traces =
      count < SIZE_MAX / sizeof(*traces)
          ? tm_raw_realloc(snapshot->peak_traces,
                           (count ? count : 1) * sizeof(*traces))
          : NULL;
  if (!traces) {
    tm_set_error("out of memory for %zu traces at the peak", count);
    return -1;
  }
  snapshot->peak_traces = traces;
  snapshot->peak_traces_capacity = count;
  snapshot->has_peak_traces = 1;
  return 0;
}

void tm_snap_add_peak_trace(tracemalloc_snapshot *snapshot, unsigned int domain,
                            uint64_t size,
                            const tracemalloc_traceback *traceback) {
  tm_snap_trace *trace = &snapshot->peak_traces[snapshot->npeak_traces++];
  trace->domain = domain;
  trace->traceback = tm_snap_traceback_of(traceback)->index;
  trace->size = size;
}

int tracemalloc_snapshot_traced_peak(const tracemalloc_snapshot *snapshot,
                                     size_t *peak) {
  if (!snapshot->has_peak) {
    tm_set_error("the snapshot records no peak");
    return -1;
  }
  *peak = snapshot->peak > SIZE_MAX ? SIZE_MAX : (size_t)snapshot->peak;
  return 0;
}

/* ---- The peak section ---- */

static uint64_t peak_size(const tracemalloc_snapshot *snapshot) {
  if (!snapshot->has_peak)
    return 0;
  if (!snapshot->has_peak_traces)
    return PEAK_HEADER_SIZE;
  return PEAK_HEADER_SIZE + PEAK_COUNT_SIZE +
         (uint64_t)snapshot->npeak_traces * PEAK_TRACE_SIZE;
}

static void peak_write(tm_section_writer *writer,
                       const tracemalloc_snapshot *snapshot) {
  tm_section_put_u64(writer, snapshot->peak);
  tm_section_put_u32(writer, snapshot->has_peak_traces ? PEAK_FLAG_TRACES : 0);
  tm_section_put_u32(writer, 0);
  if (!snapshot->has_peak_traces)
    return;
  tm_section_put_u64(writer, snapshot->npeak_traces);
  for (size_t i = 0; i < snapshot->npeak_traces; i++) {
    const tm_snap_trace *trace = &snapshot->peak_traces[i];
    tm_section_put_u32(writer, trace->domain);
    tm_section_put_u32(writer, trace->traceback);
    tm_section_put_u64(writer, trace->size);
  }
}

static int read_peak_trace(tm_section_reader *reader,
                           tracemalloc_snapshot *snapshot,
                           const tm_section_indices *indices, uint64_t i) {
  uint32_t domain, traceback;
  uint64_t size;
  if (tm_section_get_u32(reader, &domain) < 0 ||
      tm_section_get_u32(reader, &traceback) < 0 ||
      tm_section_get_u64(reader, &size) < 0)
    return -1;
  if (traceback >= indices->ntracebacks)
    return tm_section_error(
        reader, "trace %" PRIu64 " refers to traceback %" PRIu32 " of %" PRIu64,
        i, traceback, indices->ntracebacks);
  tm_snap_trace *trace = &snapshot->peak_traces[snapshot->npeak_traces++];
  trace->domain = domain;
  trace->traceback = indices->tracebacks[traceback];
  trace->size = size;
  return 0;
}

static int read_peak_traces(tm_section_reader *reader,
                            tracemalloc_snapshot *snapshot,
                            const tm_section_indices *indices) {
  uint64_t count;
  if (tm_section_get_u64(reader, &count) < 0)
    return -1;
  if (tm_section_check_count(reader, count, 0, PEAK_TRACE_SIZE, "traces") < 0)
    return -1;
  if (tm_snap_reserve_peak_traces(snapshot, (size_t)count) < 0)
    return tm_section_error(reader, "out of memory");
  for (uint64_t i = 0; i < count; i++)
    if (read_peak_trace(reader, snapshot, indices, i) < 0)
      return -1;
  return 0;
}

static int peak_read(tm_section_reader *reader, tracemalloc_snapshot *snapshot,
                     const tm_section_indices *indices) {
  uint64_t peak;
  uint32_t flags, reserved;
  if (tm_section_get_u64(reader, &peak) < 0 ||
      tm_section_get_u32(reader, &flags) < 0 ||
      tm_section_get_u32(reader, &reserved) < 0)
    return -1;
  if (flags & ~(uint32_t)PEAK_FLAG_TRACES)
    return tm_section_error(reader, "unknown flags 0x%" PRIx32, flags);
  if (reserved != 0)
    return tm_section_error(reader, "reserved field is not 0");
  tm_snap_set_peak(snapshot, peak);
  return flags & PEAK_FLAG_TRACES ? read_peak_traces(reader, snapshot, indices)
                                  : 0;
}

const tm_section_type tm_peak_section = {
    .tag = 1,
    .name = "peak",
    .size = peak_size,
    .write = peak_write,
    .read = peak_read,
};
