/*
 * sections.h - the optional sections of a .tms file (version 3).
 *
 * A snapshot may carry more than its live traces: what was live at the
 * peak, allocation counters per traceback, traced memory over time. Each of
 * those is a section of the file, written after the trace table as
 *
 *   u32 tag, u32 reserved (0), u64 length, length bytes of payload
 *
 * so that a reader skips what it does not know (a newer writer's data) and
 * every kind of data is written and read by the file that owns it. A section
 * type is registered once, in sections.def; snapshot_file.c frames the
 * sections, checks their lengths and the checksum, and hands each payload to
 * its reader with a bounded cursor.
 */
#ifndef TM_SECTIONS_H
#define TM_SECTIONS_H

#include "snapshot.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Writing: what a section's write() puts goes into the file and its
 * checksum, in the file's byte order (little-endian). */
typedef struct tm_section_writer tm_section_writer;
TM_HIDDEN void tm_section_put_u32(tm_section_writer *writer, uint32_t value);
TM_HIDDEN void tm_section_put_u64(tm_section_writer *writer, uint64_t value);
TM_HIDDEN void tm_section_put_bytes(tm_section_writer *writer,
                                    const void *bytes, size_t length);

/* ---- Reading: a cursor over one section's payload. The getters return -1
 * with the error set ("FILE: truncated NAME section ...") when the payload
 * ends first. */
typedef struct tm_section_reader {
  const char *path; /* of the file, for errors */
  const char *name; /* of the section type, for errors */
  const unsigned char *data;
  uint64_t size;
  uint64_t at;
} tm_section_reader;

TM_HIDDEN int tm_section_get_u32(tm_section_reader *reader, uint32_t *value);
TM_HIDDEN int tm_section_get_u64(tm_section_reader *reader, uint64_t *value);
/* -1, with the error "FILE: NAME section: WHAT". */
__attribute__((format(printf, 2, 3))) TM_HIDDEN int
tm_section_error(const tm_section_reader *reader, const char *fmt, ...);
/* Whether count records of record_size bytes each, at least min of them,
 * fit in what is left of the payload: checked before anything is allocated
 * for them, so that a damaged count cannot ask for more memory than the
 * file could fill. 0, or -1 with the error "N WHAT announced, room for M[, at
 * least K wanted]". */
TM_HIDDEN int tm_section_check_count(const tm_section_reader *reader,
                                     uint64_t count, uint64_t min,
                                     uint64_t record_size, const char *what);
/* A reader must read its payload to the end: the loader says so when it
 * does not. */

/* The snapshot's index of each of the file's frames and tracebacks: the
 * loader interns them, so equal tracebacks of a file are one in the
 * snapshot, and a section's file indices must go through these. The
 * indices a section is written with are the snapshot's own. */
typedef struct tm_section_indices {
  const uint32_t *frames;
  uint64_t nframes;
  const uint32_t *tracebacks;
  uint64_t ntracebacks;
} tm_section_indices;

typedef struct tm_section_type {
  uint32_t tag; /* unique; never reused for another meaning */
  const char *name;
  /* The payload's length in bytes; 0 when the snapshot has nothing for it
   * (the section is then not written). */
  uint64_t (*size)(const tracemalloc_snapshot *snapshot);
  /* Exactly size() bytes. */
  void (*write)(tm_section_writer *writer,
                const tracemalloc_snapshot *snapshot);
  /* Into the snapshot being loaded, whose strings, frames, tracebacks and
   * traces are all there. -1 with the error set (tm_section_error). */
  int (*read)(tm_section_reader *reader, tracemalloc_snapshot *snapshot,
              const tm_section_indices *indices);
} tm_section_type;

/* Every section type, from sections.def, NULL-terminated. */
extern const tm_section_type *const tm_section_types[] TM_HIDDEN;

#endif /* TM_SECTIONS_H */
