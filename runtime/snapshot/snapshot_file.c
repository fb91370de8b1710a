/*
 * snapshot_file.c - TraceMalloc's native snapshot file (.tms).
 *
 * Layout, version 3 (version 2 has no section area, version 1 differs from
 * 2 only in the checksum); every integer little-endian, no padding:
 *
 *   offset size
 *        0    8  magic "\x89TMSNAP\n" (a high byte and a newline, as in
 *                PNG, so 7-bit and text-mode transfers are caught)
 *        8    4  u32 version (3; 1 and 2 are still read)
 *       12    4  u32 traceback_limit (1..65535)
 *       16    8  u64 lost_traces
 *       24    8  u64 string_count
 *       32    8  u64 string_table_size, in bytes
 *       40    8  u64 frame_count
 *       48    8  u64 traceback_count
 *       56    8  u64 traceback_table_size, in bytes
 *       64    8  u64 trace_count
 *       72       string table: string_count x { u32 length, length bytes }
 *                (no NUL byte in or after a string)
 *                frame table: frame_count x { u32 filename, u32 function,
 *                u32 lineno } (string indices); version 3: the function
 *                index's bit 31 is set when the frame is inlined into the
 *                next older frame of its tracebacks, so a file holds at
 *                most 2^31 strings
 *                traceback table: traceback_count x { u32 total_nframe,
 *                u32 nframe (1..65535), nframe x u32 frame index, oldest
 *                frame first }
 *                trace table: trace_count x { u32 domain, u32 traceback
 *                index, u64 size }
 *                version 3: u64 section_area_size, then that many bytes of
 *                sections, each { u32 tag, u32 reserved (0), u64 length,
 *                length bytes } (sections.h). A tag appears at most once;
 *                a reader skips the tags it does not know. Tags:
 *                1 peak (peak.c): the high-water mark of traced memory
 *                  and the traces live at it
 *                2 allocation counters per traceback (allocations.c)
 *                3 timeline: u64 count, count x { u64 nanoseconds since
 *                  tracing started (never decreasing), u64 traced bytes }
 *                  (timeline.c)
 *   size - 8    8  u64 checksum of every byte before it:
 *                versions 2 and 3: four lanes, lane i starting at B + i,
 *                where B is FNV-1a's offset basis 0xcbf29ce484222325; each
 *                32-byte block of the data, as four u64 words w0..w3, does
 *                lane_i = (lane_i ^ w_i) * P, P = 0x100000001b3 (FNV's
 *                prime); then 64-bit FNV-1a of the four lanes (u64 each),
 *                the 0..31 bytes after the last block, and the data's
 *                length (u64). Version 1: 64-bit FNV-1a of the bytes.
 *
 * The header gives the size of every table, so the loader checks that the
 * file is exactly as long as announced (and says which table is cut short)
 * before it reads a table or allocates anything, then checks the checksum,
 * then every index while it rebuilds the snapshot with the builder.
 *
 * Version 2's checksum runs four independent multiply chains over words,
 * where FNV-1a runs one chain over bytes: on a 16 MB snapshot that was a
 * third of the time `tracemalloc top` took; now it runs 5.5 M of the 41 M
 * instructions `top` needs for 1M traces. Being the first pass over the
 * file, it is also where a mapped file's pages are first touched, and a
 * profile counts that time against it.
 *
 * The writer never leaves half a file behind: it writes a temporary file in
 * the target's directory, syncs it and renames it over the target
 * (atomic_file.c).
 */
#include "snapshot_file.h"
#include "atomic_file.h"
#include "sections.h"
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMS_MAGIC "\x89TMSNAP\n"
enum {
  TMS_MAGIC_SIZE = 8,
  TMS_VERSION = 3,
  TMS_VERSION_3 = 3,      /* added the section area and the inlined flag */
  TMS_OLDEST_VERSION = 1, /* FNV-1a checksum */
  TMS_HEADER_SIZE = 72,
  TMS_CHECKSUM_SIZE = 8,
  TMS_STRING_OVERHEAD = 4, /* the length before the bytes */
  TMS_FRAME_SIZE = 12,
  TMS_TRACEBACK_OVERHEAD = 8, /* total_nframe and nframe */
  TMS_TRACE_SIZE = 16,
  TMS_SECTION_AREA_SIZE = 8,    /* the area's length before it */
  TMS_SECTION_HEADER_SIZE = 16, /* tag, reserved, length */
};

/* Version 3: in a frame's function index, the frame is inlined. */
static const uint32_t TMS_INLINED = UINT32_C(1) << 31;

static const uint64_t FNV_OFFSET_BASIS = 0xcbf29ce484222325ULL;
static const uint64_t FNV_PRIME = 0x100000001b3ULL;

static uint64_t fnv1a(uint64_t hash, const unsigned char *bytes,
                      size_t length) {
  for (size_t i = 0; i < length; i++) {
    hash ^= bytes[i];
    hash *= FNV_PRIME;
  }
  return hash;
}

static void store_u32(unsigned char *out, uint32_t value) {
  for (int i = 0; i < 4; i++)
    out[i] = (unsigned char)(value >> (8 * i));
}

static void store_u64(unsigned char *out, uint64_t value) {
  for (int i = 0; i < 8; i++)
    out[i] = (unsigned char)(value >> (8 * i));
}

static uint32_t load_u32(const unsigned char *in) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; i--)
    value = (value << 8) | in[i];
  return value;
}

static uint64_t load_u64(const unsigned char *in) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; i--)
    value = (value << 8) | in[i];
  return value;
}

enum { LANES = 4, BLOCK_SIZE = 8 * LANES };

/* Version 2's checksum, fed in pieces of any size. */
typedef struct checksum {
  uint64_t lanes[LANES];
  unsigned char pending[BLOCK_SIZE]; /* the start of an incomplete block */
  size_t npending;
  uint64_t length;
} checksum;

static void checksum_init(checksum *sum) {
  for (int i = 0; i < LANES; i++)
    sum->lanes[i] = FNV_OFFSET_BASIS + (uint64_t)i;
  sum->npending = 0;
  sum->length = 0;
}

static void checksum_blocks(checksum *sum, const unsigned char *bytes,
                            size_t nblocks) {
  uint64_t a = sum->lanes[0], b = sum->lanes[1], c = sum->lanes[2],
           d = sum->lanes[3];
  for (; nblocks; nblocks--, bytes += BLOCK_SIZE) {
    a = (a ^ load_u64(bytes)) * FNV_PRIME;
    b = (b ^ load_u64(bytes + 8)) * FNV_PRIME;
    c = (c ^ load_u64(bytes + 16)) * FNV_PRIME;
    d = (d ^ load_u64(bytes + 24)) * FNV_PRIME;
  }
  sum->lanes[0] = a, sum->lanes[1] = b, sum->lanes[2] = c, sum->lanes[3] = d;
}

static void checksum_add(checksum *sum, const unsigned char *bytes,
                         size_t length) {
  sum->length += length;
  if (sum->npending) {
    size_t take = BLOCK_SIZE - sum->npending;
    if (take > length)
      take = length;
    memcpy(sum->pending + sum->npending, bytes, take);
    sum->npending += take;
    bytes += take;
    length -= take;
    if (sum->npending < BLOCK_SIZE)
      return;
    checksum_blocks(sum, sum->pending, 1);
    sum->npending = 0;
  }
  checksum_blocks(sum, bytes, length / BLOCK_SIZE);
  sum->npending = length % BLOCK_SIZE;
  memcpy(sum->pending, bytes + length - sum->npending, sum->npending);
}

static uint64_t checksum_final(const checksum *sum) {
  unsigned char word[8];
  uint64_t hash = FNV_OFFSET_BASIS;
  for (int i = 0; i < LANES; i++) {
    store_u64(word, sum->lanes[i]);
    hash = fnv1a(hash, word, sizeof(word));
  }
  hash = fnv1a(hash, sum->pending, sum->npending);
  store_u64(word, sum->length);
  return fnv1a(hash, word, sizeof(word));
}

/* ======================================================================
 * Writing
 * ====================================================================== */

/* The .tms writer adds up the checksum of what it puts; the sections'
 * writers (sections.h) put through it. */
typedef struct tm_section_writer {
  tm_file_writer *out;
  checksum checksum; /* of everything put so far */
} writer;

static void put_bytes(writer *writer, const void *bytes, size_t length) {
  checksum_add(&writer->checksum, bytes, length);
  tm_file_put(writer->out, bytes, length);
}

static void put_u32(writer *writer, uint32_t value) {
  unsigned char bytes[4];
  store_u32(bytes, value);
  put_bytes(writer, bytes, sizeof(bytes));
}

static void put_u64(writer *writer, uint64_t value) {
  unsigned char bytes[8];
  store_u64(bytes, value);
  put_bytes(writer, bytes, sizeof(bytes));
}

static uint32_t string_index(const char *text) {
  return tm_snap_string_of(text)->index;
}

static void put_header(writer *writer, const tracemalloc_snapshot *snapshot) {
  uint64_t string_table_size = 0;
  for (uint32_t i = 0; i < snapshot->nstrings; i++)
    string_table_size += TMS_STRING_OVERHEAD + snapshot->strings[i]->length;
  uint64_t traceback_table_size = 0;
  for (uint32_t i = 0; i < snapshot->ntracebacks; i++)
    traceback_table_size +=
        TMS_TRACEBACK_OVERHEAD +
        4 * (uint64_t)snapshot->tracebacks[i]->traceback.nframe;

  put_bytes(writer, TMS_MAGIC, TMS_MAGIC_SIZE);
  put_u32(writer, TMS_VERSION);
  put_u32(writer, snapshot->traceback_limit);
  put_u64(writer, snapshot->lost_traces);
  put_u64(writer, snapshot->nstrings);
  put_u64(writer, string_table_size);
  put_u64(writer, snapshot->nframes);
  put_u64(writer, snapshot->ntracebacks);
  put_u64(writer, traceback_table_size);
  put_u64(writer, snapshot->ntraces);
}

static void put_tables(writer *writer, const tracemalloc_snapshot *snapshot) {
  for (uint32_t i = 0; i < snapshot->nstrings; i++) {
    const tm_snap_string *string = snapshot->strings[i];
    put_u32(writer, string->length);
    put_bytes(writer, string->text, string->length);
  }
  for (uint32_t i = 0; i < snapshot->nframes; i++) {
    const tracemalloc_frame *frame = &snapshot->frames[i]->frame;
    put_u32(writer, string_index(frame->filename));
    put_u32(writer, string_index(frame->function) |
                        (snapshot->frames[i]->inlined ? TMS_INLINED : 0));
    put_u32(writer, frame->lineno);
  }
  for (uint32_t i = 0; i < snapshot->ntracebacks; i++) {
    const tracemalloc_traceback *traceback =
        &snapshot->tracebacks[i]->traceback;
    put_u32(writer, traceback->total_nframe);
    put_u32(writer, traceback->nframe);
    for (unsigned int j = 0; j < traceback->nframe; j++)
      put_u32(writer, tm_snap_frame_of(traceback->frames[j])->index);
  }
  for (size_t i = 0; i < snapshot->ntraces; i++) {
    const tm_snap_trace *trace = &snapshot->traces[i];
    put_u32(writer, trace->domain);
    put_u32(writer, trace->traceback);
    put_u64(writer, trace->size);
  }
}

void tm_section_put_u32(tm_section_writer *writer, uint32_t value) {
  put_u32(writer, value);
}

void tm_section_put_u64(tm_section_writer *writer, uint64_t value) {
  put_u64(writer, value);
}

void tm_section_put_bytes(tm_section_writer *writer, const void *bytes,
                          size_t length) {
  put_bytes(writer, bytes, length);
}

/* The section area: its size, then every section the snapshot has. */
static void put_sections(writer *writer, const tracemalloc_snapshot *snapshot) {
  uint64_t area_size = 0;
  for (const tm_section_type *const *type = tm_section_types; *type; type++) {
    uint64_t size = (*type)->size(snapshot);
    if (size)
      area_size += TMS_SECTION_HEADER_SIZE + size;
  }
  put_u64(writer, area_size);
  for (const tm_section_type *const *type = tm_section_types; *type; type++) {
    uint64_t size = (*type)->size(snapshot);
    if (!size)
      continue;
    put_u32(writer, (*type)->tag);
    put_u32(writer, 0);
    put_u64(writer, size);
    (*type)->write(writer, snapshot);
  }
}

static void write_snapshot(tm_file_writer *out, const void *arg) {
  const tracemalloc_snapshot *snapshot = arg;
  writer writer = {.out = out};
  checksum_init(&writer.checksum);
  put_header(&writer, snapshot);
  put_tables(&writer, snapshot);
  put_sections(&writer, snapshot);
  /* The checksum does not cover itself. */
  put_u64(&writer, checksum_final(&writer.checksum));
}

int tracemalloc_snapshot_dump(const tracemalloc_snapshot *snapshot,
                              const char *path) {
  return tm_file_write_atomic(path, write_snapshot, snapshot);
}

/* ======================================================================
 * Reading
 * ====================================================================== */

typedef struct header {
  uint32_t version;
  uint32_t traceback_limit;
  uint64_t lost_traces;
  uint64_t string_count;
  uint64_t string_table_size;
  uint64_t frame_count;
  uint64_t traceback_count;
  uint64_t traceback_table_size;
  uint64_t trace_count;
} header;

typedef struct loader {
  const char *path;
  unsigned char *data;
  size_t size;
  int map;       /* map a regular file instead of reading it (map_file) */
  size_t mapped; /* data's length when it maps the file, else 0 (malloc'd) */
  header header;
  /* Where each table starts; the section area (version 3) is
   * [sections_at, sections_end). */
  size_t strings_at, frames_at, tracebacks_at, traces_at;
  size_t sections_at, sections_end;
  /* The file's bytes, still readable once the snapshot has adopted them. */
  const unsigned char *file;
  /* The objects made from each table entry, by file index. */
  char **strings;
  const tracemalloc_frame **frames;
  const tracemalloc_traceback **tracebacks;
  const tracemalloc_frame **scratch; /* frames of one traceback */
  size_t scratch_size;
  tm_snapshot_builder *builder;
} loader;

__attribute__((format(printf, 2, 3))) static int
load_error(const loader *loader, const char *fmt, ...) {
  char what[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(what, sizeof(what), fmt, args);
  va_end(args);
  tm_set_error("%s: %s", loader->path, what);
  return -1;
}

/* The builder has said what failed; say in which file. */
static int builder_error(const loader *loader) {
  char what[512];
  snprintf(what, sizeof(what), "%s", tracemalloc_last_error());
  return load_error(loader, "%s", what);
}

/* Whether the bytes read so far already show the whole file: they do not
 * start with the magic, or they are longer than the header announces. A
 * regular file is read to its end anyway (its size is known); this keeps a
 * pipe or a device (/dev/zero) from being read, and buffered, forever. */
static int read_enough(const loader *loader) {
  const unsigned char *in = loader->data;
  size_t size = loader->size;
  if (memcmp(in, TMS_MAGIC, size < TMS_MAGIC_SIZE ? size : TMS_MAGIC_SIZE))
    return 1;
  if (size < TMS_HEADER_SIZE)
    return 0;
  /* Header, tables and checksum, saturating: each term is at most 2^64-1
   * (the frame and trace tables' counts times their sizes are capped). */
  static const struct {
    unsigned offset, entry_size;
  } tables[] = {{32, 0}, {40, TMS_FRAME_SIZE}, {56, 0}, {64, TMS_TRACE_SIZE}};
  uint64_t announced = TMS_HEADER_SIZE + TMS_CHECKSUM_SIZE;
  for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
    uint64_t value = load_u64(in + tables[i].offset), bytes;
    if (tables[i].entry_size &&
        __builtin_mul_overflow(value, tables[i].entry_size, &bytes))
      return 0;
    if (__builtin_add_overflow(announced, tables[i].entry_size ? bytes : value,
                               &announced))
      return 0;
  }
  /* Version 3: the section area's size comes after the trace table. */
  if (load_u32(in + TMS_MAGIC_SIZE) >= TMS_VERSION_3) {
    uint64_t area_at = announced - TMS_CHECKSUM_SIZE;
    if (size < area_at + TMS_SECTION_AREA_SIZE)
      return 0;
    if (__builtin_add_overflow(announced,
                               TMS_SECTION_AREA_SIZE + load_u64(in + area_at),
                               &announced))
      return 0;
  }
  return size > announced;
}

/* With map (tm_snapshot_load_mapped, snapshot_file.h), a regular file is
 * mapped rather than read: its pages are in the page cache already, where a
 * buffer of a 16 MB file's size costs thousands of page faults, more than
 * everything else `top` does. The mapping is private: the few pages the
 * loader rewrites (strings, trace records whose traceback index changes)
 * become the process's own copies, and nothing reaches the file. Returns 1
 * when mapped, 0 when the file is to be read. */
static int map_file(loader *loader, int fd, const struct stat *st) {
  if (!loader->map || st->st_size <= 0 || (uint64_t)st->st_size >= SIZE_MAX)
    return 0;
  size_t size = (size_t)st->st_size;
  void *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED)
    return 0;
  loader->data = data;
  loader->size = loader->mapped = size;
  return 1;
}

static void release_data(loader *loader) {
  if (loader->mapped)
    munmap(loader->data, loader->mapped);
  else
    tm_raw_free(loader->data);
  loader->data = NULL;
  loader->mapped = 0;
}

static int read_file(loader *loader) {
  int fd = open(loader->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return load_error(loader, "%s", strerror(errno));
  struct stat st;
  /* One byte more than a regular file's size, so the read that sees the
   * end of the file does not have to grow the buffer first. */
  size_t capacity = 64 * 1024;
  int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && map_file(loader, fd, &st)) {
    close(fd);
    return 0;
  }
  if (regular && (uint64_t)st.st_size < SIZE_MAX)
    capacity = (size_t)st.st_size + 1;
  int error = 0, enough = 0;
  loader->data = tm_raw_malloc(capacity);
  loader->size = 0;
  while (loader->data) {
    if (loader->size == capacity) {
      unsigned char *bigger = capacity <= SIZE_MAX / 2
                                  ? tm_raw_realloc(loader->data, capacity * 2)
                                  : NULL;
      if (!bigger)
        break;
      loader->data = bigger;
      capacity *= 2;
    }
    ssize_t n = read(fd, loader->data + loader->size, capacity - loader->size);
    if (n > 0) {
      loader->size += (size_t)n;
      if (!regular && (enough = read_enough(loader)))
        break;
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      error = errno;
      break;
    }
  }
  close(fd);
  if (error)
    return load_error(loader, "%s", strerror(error));
  if (!loader->data || (loader->size == capacity && !enough))
    return load_error(loader, "out of memory reading the file");
  return 0;
}

static int check_magic_and_version(loader *loader) {
  if (loader->size == 0)
    return load_error(loader, "not a TraceMalloc snapshot (empty file)");
  size_t prefix = loader->size < TMS_MAGIC_SIZE ? loader->size : TMS_MAGIC_SIZE;
  if (memcmp(loader->data, TMS_MAGIC, prefix) != 0)
    return load_error(loader, "not a TraceMalloc snapshot (bad magic)");
  if (loader->size >= TMS_MAGIC_SIZE + 4) {
    uint32_t version = load_u32(loader->data + TMS_MAGIC_SIZE);
    if (version < TMS_OLDEST_VERSION || version > TMS_VERSION)
      return load_error(loader,
                        "unsupported version %" PRIu32
                        " (this TraceMalloc reads versions %d to %d)",
                        version, TMS_OLDEST_VERSION, TMS_VERSION);
  }
  if (loader->size < TMS_HEADER_SIZE)
    return load_error(loader, "truncated header (%zu of %d bytes)",
                      loader->size, TMS_HEADER_SIZE);
  return 0;
}

static void read_header(loader *loader) {
  const unsigned char *in = loader->data;
  header *header = &loader->header;
  header->version = load_u32(in + 8);
  header->traceback_limit = load_u32(in + 12);
  header->lost_traces = load_u64(in + 16);
  header->string_count = load_u64(in + 24);
  header->string_table_size = load_u64(in + 32);
  header->frame_count = load_u64(in + 40);
  header->traceback_count = load_u64(in + 48);
  header->traceback_table_size = load_u64(in + 56);
  header->trace_count = load_u64(in + 64);
}

/* A table of count entries of entry_size bytes (or of size bytes when
 * entry_size is 0) must fit between *offset and the end of the file. */
static int place_table(loader *loader, const char *table, uint64_t count,
                       const char *entries, uint64_t entry_size, uint64_t size,
                       size_t *offset) {
  uint64_t room = loader->size - *offset; /* *offset <= loader->size */
  if (entry_size ? count > room / entry_size : size > room) {
    if (entry_size)
      return load_error(loader,
                        "truncated %s (%" PRIu64 " %s of %" PRIu64
                        " bytes from offset %zu, the file has %zu bytes)",
                        table, count, entries, entry_size, *offset,
                        loader->size);
    return load_error(loader,
                      "truncated %s (%" PRIu64
                      " bytes from offset %zu, the file has %zu bytes)",
                      table, size, *offset, loader->size);
  }
  *offset += entry_size ? count * entry_size : size;
  return 0;
}

static int check_layout(loader *loader) {
  const header *header = &loader->header;
  size_t offset = TMS_HEADER_SIZE;
  loader->strings_at = offset;
  if (place_table(loader, "string table", 0, NULL, 0, header->string_table_size,
                  &offset) < 0)
    return -1;
  loader->frames_at = offset;
  if (place_table(loader, "frame table", header->frame_count, "frames",
                  TMS_FRAME_SIZE, 0, &offset) < 0)
    return -1;
  loader->tracebacks_at = offset;
  if (place_table(loader, "traceback table", 0, NULL, 0,
                  header->traceback_table_size, &offset) < 0)
    return -1;
  loader->traces_at = offset;
  if (place_table(loader, "trace table", header->trace_count, "traces",
                  TMS_TRACE_SIZE, 0, &offset) < 0)
    return -1;
  loader->sections_at = loader->sections_end = offset;
  if (header->version >= TMS_VERSION_3) {
    if (place_table(loader, "section area size", 0, NULL, 0,
                    TMS_SECTION_AREA_SIZE, &offset) < 0)
      return -1;
    loader->sections_at = offset;
    if (place_table(loader, "section area", 0, NULL, 0,
                    load_u64(loader->data + offset - TMS_SECTION_AREA_SIZE),
                    &offset) < 0)
      return -1;
    loader->sections_end = offset;
  }
  if (loader->size < offset + TMS_CHECKSUM_SIZE)
    return load_error(loader, "truncated checksum (%zu of %d bytes)",
                      loader->size - offset, TMS_CHECKSUM_SIZE);
  if (loader->size > offset + TMS_CHECKSUM_SIZE)
    return load_error(loader, "%zu bytes of unexpected data after the checksum",
                      loader->size - offset - TMS_CHECKSUM_SIZE);
  return 0;
}

static int check_checksum(const loader *loader) {
  size_t covered = loader->size - TMS_CHECKSUM_SIZE;
  uint64_t stored = load_u64(loader->data + covered);
  uint64_t computed;
  if (loader->header.version == 1) {
    computed = fnv1a(FNV_OFFSET_BASIS, loader->data, covered);
  } else {
    checksum sum;
    checksum_init(&sum);
    checksum_add(&sum, loader->data, covered);
    computed = checksum_final(&sum);
  }
  if (stored != computed)
    return load_error(loader, "bad checksum");
  return 0;
}

/* Counts the tables could not hold, or that indices cannot reach, before
 * anything is allocated for them. */
static int check_counts(const loader *loader) {
  const header *header = &loader->header;
  if (header->traceback_limit < 1 ||
      header->traceback_limit > TRACEMALLOC_MAX_NFRAME)
    return load_error(loader,
                      "bad traceback limit %" PRIu32 " (must be 1 to %d)",
                      header->traceback_limit, TRACEMALLOC_MAX_NFRAME);
  if (header->string_count > header->string_table_size / TMS_STRING_OVERHEAD)
    return load_error(loader,
                      "a string table of %" PRIu64 " bytes cannot hold %" PRIu64
                      " strings",
                      header->string_table_size, header->string_count);
  if (header->traceback_count >
      header->traceback_table_size / (TMS_TRACEBACK_OVERHEAD + 4))
    return load_error(loader,
                      "a traceback table of %" PRIu64
                      " bytes cannot hold %" PRIu64 " tracebacks",
                      header->traceback_table_size, header->traceback_count);
  if (header->version >= TMS_VERSION_3 && header->string_count > INT32_MAX)
    return load_error(loader, "more than %" PRId32 " strings", INT32_MAX);
  if (header->string_count > UINT32_MAX || header->frame_count > UINT32_MAX ||
      header->traceback_count > UINT32_MAX)
    return load_error(loader,
                      "more than %" PRIu32 " strings, frames or tracebacks",
                      UINT32_MAX);
  return 0;
}

static int allocate_indices(loader *loader) {
  const header *header = &loader->header;
  /* calloc(0) may return NULL: ask for at least one element. */
  loader->strings = tm_raw_calloc(header->string_count + 1, sizeof(char *));
  loader->frames = tm_raw_calloc(header->frame_count + 1, sizeof(void *));
  loader->tracebacks =
      tm_raw_calloc(header->traceback_count + 1, sizeof(void *));
  uint64_t most_frames = header->traceback_table_size / 4;
  loader->scratch_size = most_frames < TRACEMALLOC_MAX_NFRAME
                             ? (size_t)most_frames
                             : TRACEMALLOC_MAX_NFRAME;
  loader->scratch = tm_raw_calloc(loader->scratch_size + 1, sizeof(void *));
  if (!loader->strings || !loader->frames || !loader->tracebacks ||
      !loader->scratch)
    return load_error(loader, "out of memory");
  return 0;
}

/* Strings are stored without a terminator. The checksum has been checked,
 * so the buffer is ours to rewrite: each string moves 4 bytes back, over
 * its length field, which leaves room for its NUL. */
static int load_strings(loader *loader) {
  size_t at = loader->strings_at;
  size_t end = loader->frames_at;
  for (uint64_t i = 0; i < loader->header.string_count; i++) {
    if (end - at < TMS_STRING_OVERHEAD)
      return load_error(loader, "string %" PRIu64 " overruns the string table",
                        i);
    uint32_t length = load_u32(loader->data + at);
    at += TMS_STRING_OVERHEAD;
    if (end - at < length)
      return load_error(loader, "string %" PRIu64 " overruns the string table",
                        i);
    char *text = (char *)loader->data + at - TMS_STRING_OVERHEAD;
    if (memchr(loader->data + at, '\0', length))
      return load_error(loader, "string %" PRIu64 " contains a NUL byte", i);
    memmove(text, loader->data + at, length);
    text[length] = '\0';
    loader->strings[i] = text;
    at += length;
  }
  if (at != end)
    return load_error(
        loader, "%zu bytes of unexpected data after the last string", end - at);
  return 0;
}

static int check_index(const loader *loader, const char *what, uint64_t i,
                       const char *target, uint64_t index, uint64_t count) {
  if (index < count)
    return 0;
  return load_error(loader,
                    "%s %" PRIu64 " refers to %s %" PRIu64 " of %" PRIu64, what,
                    i, target, index, count);
}

static int load_frames(loader *loader) {
  const unsigned char *in = loader->data + loader->frames_at;
  uint64_t nstring = loader->header.string_count;
  for (uint64_t i = 0; i < loader->header.frame_count;
       i++, in += TMS_FRAME_SIZE) {
    uint32_t filename = load_u32(in);
    uint32_t function = load_u32(in + 4);
    uint32_t lineno = load_u32(in + 8), inlined = 0;
    if (loader->header.version >= TMS_VERSION_3) {
      inlined = function >> 31;
      function &= ~TMS_INLINED;
    }
    if (check_index(loader, "frame", i, "string", filename, nstring) < 0 ||
        check_index(loader, "frame", i, "string", function, nstring) < 0)
      return -1;
    loader->frames[i] =
        tm_builder_frame_inlined(loader->builder, loader->strings[filename],
                                 lineno, loader->strings[function], inlined);
    if (!loader->frames[i])
      return builder_error(loader);
  }
  return 0;
}

static int load_traceback(loader *loader, uint64_t i, size_t *at) {
  size_t end = loader->traces_at;
  if (end - *at < TMS_TRACEBACK_OVERHEAD)
    return load_error(loader,
                      "traceback %" PRIu64 " overruns the traceback table", i);
  uint32_t total_nframe = load_u32(loader->data + *at);
  uint32_t nframe = load_u32(loader->data + *at + 4);
  *at += TMS_TRACEBACK_OVERHEAD;
  if (nframe < 1 || nframe > TRACEMALLOC_MAX_NFRAME)
    return load_error(loader,
                      "traceback %" PRIu64 " has %" PRIu32
                      " frames (must be 1 to %d)",
                      i, nframe, TRACEMALLOC_MAX_NFRAME);
  if (total_nframe > TRACEMALLOC_MAX_NFRAME)
    return load_error(loader,
                      "traceback %" PRIu64 " has a total of %" PRIu32
                      " frames (at most %d)",
                      i, total_nframe, TRACEMALLOC_MAX_NFRAME);
  if ((end - *at) / 4 < nframe || nframe > loader->scratch_size)
    return load_error(loader,
                      "traceback %" PRIu64 " overruns the traceback table", i);
  for (uint32_t j = 0; j < nframe; j++, *at += 4) {
    uint32_t frame = load_u32(loader->data + *at);
    if (check_index(loader, "traceback", i, "frame", frame,
                    loader->header.frame_count) < 0)
      return -1;
    loader->scratch[j] = loader->frames[frame];
  }
  loader->tracebacks[i] = tm_builder_traceback(loader->builder, loader->scratch,
                                               nframe, total_nframe);
  if (!loader->tracebacks[i])
    return builder_error(loader);
  return 0;
}

static int load_tracebacks(loader *loader) {
  size_t at = loader->tracebacks_at;
  for (uint64_t i = 0; i < loader->header.traceback_count; i++) {
    if (load_traceback(loader, i, &at) < 0)
      return -1;
  }
  if (at != loader->traces_at)
    return load_error(loader,
                      "%zu bytes of unexpected data after the last traceback",
                      loader->traces_at - at);
  return 0;
}

/* The trace table becomes the snapshot's array of traces where it lies,
 * and the snapshot takes the file's buffer or mapping. A record is the
 * snapshot's trace already, on a little-endian host, but for its traceback
 * index: the builder made one traceback of equal ones of the file. Only
 * the records whose index changes are written, so a mapped file's pages
 * stay shared with the page cache; a big-endian host rewrites every record
 * in its byte order. */
_Static_assert(sizeof(tm_snap_trace) == TMS_TRACE_SIZE,
               "a snapshot's trace is a file's trace record");

static int load_traces(loader *loader) {
  unsigned char *in = loader->data + loader->traces_at;
  tm_snap_trace *traces = (tm_snap_trace *)in;
  /* In locals: a record's store could otherwise alias the loader's fields,
   * and every trace would reload them. */
  const tracemalloc_traceback **tracebacks = loader->tracebacks;
  uint64_t ntrace = loader->header.trace_count;
  uint64_t ntraceback = loader->header.traceback_count;
  for (uint64_t i = 0; i < ntrace; i++, in += TMS_TRACE_SIZE) {
    uint32_t traceback = load_u32(in + 4);
    if (check_index(loader, "trace", i, "traceback", traceback, ntraceback) < 0)
      return -1;
#if SIZE_MAX < UINT64_MAX
    if (load_u64(in + 8) > SIZE_MAX)
      return load_error(loader, "trace %" PRIu64 " is too big for this system",
                        i);
#endif
    uint32_t index = tm_snap_traceback_of(tracebacks[traceback])->index;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (index != traceback)
      traces[i].traceback = index;
#else
    traces[i] = (tm_snap_trace){load_u32(in), index, load_u64(in + 8)};
#endif
  }
  tm_builder_adopt_traces(loader->builder, traces, (size_t)ntrace, loader->data,
                          loader->mapped);
  loader->data = NULL;
  loader->mapped = 0;
  return 0;
}

/* ---- Sections ---- */

int tm_section_error(const tm_section_reader *reader, const char *fmt, ...) {
  char what[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(what, sizeof(what), fmt, args);
  va_end(args);
  tm_set_error("%s: %s section: %s", reader->path, reader->name, what);
  return -1;
}

static int section_get(tm_section_reader *reader, uint64_t width,
                       uint64_t *value) {
  if (reader->size - reader->at < width)
    return tm_section_error(reader,
                            "truncated (%" PRIu64 " more bytes wanted at byte "
                            "%" PRIu64 " of %" PRIu64 ")",
                            width, reader->at, reader->size);
  const unsigned char *in = reader->data + reader->at;
  *value = width == 4 ? load_u32(in) : load_u64(in);
  reader->at += width;
  return 0;
}

int tm_section_get_u32(tm_section_reader *reader, uint32_t *value) {
  uint64_t wide;
  if (section_get(reader, 4, &wide) < 0)
    return -1;
  *value = (uint32_t)wide;
  return 0;
}

int tm_section_get_u64(tm_section_reader *reader, uint64_t *value) {
  return section_get(reader, 8, value);
}

static const tm_section_type *section_type_of(uint32_t tag, size_t *number) {
  for (*number = 0; tm_section_types[*number]; ++*number) {
    if (tm_section_types[*number]->tag == tag)
      return tm_section_types[*number];
  }
  return NULL;
}

/* The snapshot's index of every frame and traceback of the file. */
static int make_section_indices(loader *loader, tm_section_indices *indices,
                                uint32_t **frames, uint32_t **tracebacks) {
  const header *header = &loader->header;
  *frames = tm_raw_calloc(header->frame_count + 1, sizeof(uint32_t));
  *tracebacks = tm_raw_calloc(header->traceback_count + 1, sizeof(uint32_t));
  if (!*frames || !*tracebacks)
    return load_error(loader, "out of memory");
  for (uint64_t i = 0; i < header->frame_count; i++)
    (*frames)[i] = tm_snap_frame_of(loader->frames[i])->index;
  for (uint64_t i = 0; i < header->traceback_count; i++)
    (*tracebacks)[i] = tm_snap_traceback_of(loader->tracebacks[i])->index;
  *indices = (tm_section_indices){*frames, header->frame_count, *tracebacks,
                                  header->traceback_count};
  return 0;
}

static int load_section(loader *loader, const tm_section_type *type,
                        uint64_t at, uint64_t length,
                        const tm_section_indices *indices) {
  tm_section_reader reader = {.path = loader->path,
                              .name = type->name,
                              .data = loader->file + at,
                              .size = length};
  if (type->read(&reader, tm_builder_snapshot(loader->builder), indices) < 0)
    return -1;
  if (reader.at != reader.size)
    return tm_section_error(&reader,
                            "%" PRIu64 " bytes of unexpected data at its end",
                            reader.size - reader.at);
  return 0;
}

/* Every section of the area, in file order: the known ones read, the others
 * skipped. */
static int load_sections(loader *loader) {
  uint64_t at = loader->sections_at, end = loader->sections_end;
  uint32_t *frames = NULL, *tracebacks = NULL;
  tm_section_indices indices;
  uint64_t seen = 0; /* bit n: tm_section_types[n] was read */
  int status = 0;
  while (status == 0 && at < end) {
    if (end - at < TMS_SECTION_HEADER_SIZE) {
      status =
          load_error(loader, "truncated section header at offset %" PRIu64, at);
      break;
    }
    uint32_t tag = load_u32(loader->file + at);
    uint64_t length = load_u64(loader->file + at + 8);
    if (load_u32(loader->file + at + 4) != 0)
      status = load_error(loader,
                          "section %" PRIu32 " at offset %" PRIu64
                          " has a reserved field that is not 0",
                          tag, at);
    at += TMS_SECTION_HEADER_SIZE;
    if (status == 0 && length > end - at)
      status = load_error(loader,
                          "section %" PRIu32 " at offset %" PRIu64
                          " overruns the section area (%" PRIu64
                          " bytes, %" PRIu64 " left)",
                          tag, at - TMS_SECTION_HEADER_SIZE, length, end - at);
    size_t number;
    const tm_section_type *type = section_type_of(tag, &number);
    if (status == 0 && type && (seen >> number & 1))
      status = load_error(loader, "%s section appears twice", type->name);
    if (status == 0 && type && !frames)
      status = make_section_indices(loader, &indices, &frames, &tracebacks);
    if (status == 0 && type) {
      seen |= (uint64_t)1 << number;
      status = load_section(loader, type, at, length, &indices);
    }
    at += length;
  }
  tm_raw_free(frames);
  tm_raw_free(tracebacks);
  return status;
}

static int load_tables(loader *loader) {
  if (check_counts(loader) < 0 || allocate_indices(loader) < 0 ||
      load_strings(loader) < 0)
    return -1;
  loader->builder = tm_builder_new(loader->header.traceback_limit,
                                   loader->header.lost_traces);
  if (!loader->builder)
    return builder_error(loader);
  loader->file = loader->data;
  return load_frames(loader) < 0 || load_tracebacks(loader) < 0 ||
                 load_traces(loader) < 0 || load_sections(loader) < 0
             ? -1
             : 0;
}

static tracemalloc_snapshot *load(const char *path, int map) {
  loader loader = {.path = path, .map = map};
  tracemalloc_snapshot *snapshot = NULL;
  if (read_file(&loader) == 0 && check_magic_and_version(&loader) == 0) {
    read_header(&loader);
    if (check_layout(&loader) == 0 && check_checksum(&loader) == 0 &&
        load_tables(&loader) == 0) {
      snapshot = tm_builder_finish(loader.builder);
      loader.builder = NULL;
    }
  }
  tm_builder_abort(loader.builder);
  tm_raw_free(loader.scratch);
  tm_raw_free(loader.tracebacks);
  tm_raw_free(loader.frames);
  tm_raw_free(loader.strings);
  release_data(&loader);
  return snapshot;
}

tracemalloc_snapshot *tracemalloc_snapshot_load(const char *path) {
  return load(path, 0);
}

tracemalloc_snapshot *tm_snapshot_load_mapped(const char *path) {
  return load(path, 1);
}
