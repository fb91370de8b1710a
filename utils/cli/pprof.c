/*
 * pprof.c - tracemalloc export --format pprof: the snapshot as a pprof
 * profile (profile.proto of github.com/google/pprof), gzipped, for
 * `go tool pprof` and the tools that read its format (Pyroscope, Parca,
 * Grafana, ...).
 *
 * The profile is laid out as Go's own heap profiles are:
 * - the sample types are the columns below; pprof shows the last one
 *   (inuse_space) unless told otherwise, and default_sample_type names it
 *   too; the period type is space/bytes, the period 1 (nothing is sampled:
 *   every block is counted);
 * - one Sample per traceback of frames (the statistics by traceback, two
 *   functions of one line apart; then the tracebacks with allocation
 *   counters but no live block): alloc_objects and alloc_space when the
 *   snapshot has allocation counters (the calls and bytes allocated while
 *   tracing, freed or not), then the count and
 *   the total size of its live blocks, its locations leaf first (the most
 *   recent frame first);
 * - one Location per distinct frame with the frames inlined into it, with
 *   no address (the snapshot has none): a frame that is a call site in an
 *   inlined function body shares its machine code with the next older
 *   frame, so the chain from such a frame up to the first frame that was
 *   not inlined is one Location whose Lines (function, line number) go
 *   innermost first, as pprof represents inlining. Their one Mapping, with
 *   no file and no addresses, says that functions, file names, line
 *   numbers and inlined frames are known: pprof would otherwise try to
 *   symbolize them and complain that the binary is not available;
 * - one Function per distinct (function name, file name). A frame whose
 *   function is unknown is named after its file: pprof groups by function
 *   name, and the file is then the narrowest unit known (Python's
 *   "<unknown>:0" frame becomes "<unknown>");
 * - comments: the traceback limit, the lost traces, the traces whose
 *   tracebacks were truncated.
 *
 * The protobuf wire format is written by hand: varints, and
 * length-delimited fields for strings, nested messages and packed arrays.
 * A message's fields may come in any order, so the profile is written in
 * one pass: the samples (numbering the frames they meet), the locations
 * (numbering the functions), the functions (numbering the strings), and the
 * string table last. Each top-level field is deflated into the output
 * (zlib's gzip wrapper) once a buffer of them fills, so the profile is
 * never whole in memory.
 */
#include "cli.h"

#include "hash.h"
#include "hash_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- Sample values: one column per sample type ----
 * In Go's heap profile order: allocation counters, when snapshots get
 * them, come first as alloc_objects/count and alloc_space/bytes. */

/* A sample: the traceback of frames, its live blocks and, when the
 * snapshot has counters, what was allocated from it while tracing. */
typedef struct pprof_sample {
  const tracemalloc_traceback *traceback;
  uint64_t inuse_objects, inuse_space;
  uint64_t alloc_objects, alloc_space;
} pprof_sample;

typedef struct pprof_column {
  const char *type;
  const char *unit;
  uint64_t (*value)(const pprof_sample *sample);
  int needs_counts; /* only when the snapshot has allocation counters */
} pprof_column;

static uint64_t alloc_objects(const pprof_sample *sample) {
  return sample->alloc_objects;
}

static uint64_t alloc_space(const pprof_sample *sample) {
  return sample->alloc_space;
}

static uint64_t inuse_objects(const pprof_sample *sample) {
  return sample->inuse_objects;
}

static uint64_t inuse_space(const pprof_sample *sample) {
  return sample->inuse_space;
}

/* The string table holds the profile's own strings by address too: each
 * is defined once. */
static const char count_unit[] = "count", bytes_unit[] = "bytes";

static const pprof_column columns[] = {
    {"alloc_objects", count_unit, alloc_objects, 1},
    {"alloc_space", bytes_unit, alloc_space, 1},
    {"inuse_objects", count_unit, inuse_objects, 0},
    {"inuse_space", bytes_unit, inuse_space, 0},
};
enum { NCOLUMN = sizeof(columns) / sizeof(columns[0]) };

/* ---- The protobuf wire format ---- */

enum { WIRE_VARINT = 0, WIRE_BYTES = 2 };

/* Bytes that grow as needed; on allocation failure, failed is set and
 * nothing more is appended. */
typedef struct pb_buffer {
  unsigned char *bytes;
  size_t size;
  size_t capacity;
  int failed;
} pb_buffer;

static void pb_append(pb_buffer *buffer, const void *bytes, size_t length) {
  if (buffer->failed)
    return;
  if (length > buffer->capacity - buffer->size) {
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity - buffer->size < length)
      capacity *= 2;
    unsigned char *grown = realloc(buffer->bytes, capacity);
    if (!grown) {
      buffer->failed = 1;
      return;
    }
    buffer->bytes = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->bytes + buffer->size, bytes, length);
  buffer->size += length;
}

/* Seven bits a byte, low bits first; the high bit says more follow. */
static void pb_varint(pb_buffer *buffer, uint64_t value) {
  unsigned char bytes[10];
  size_t length = 0;
  do {
    bytes[length++] =
        (unsigned char)((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
    value >>= 7;
  } while (value);
  pb_append(buffer, bytes, length);
}

static void pb_key(pb_buffer *buffer, unsigned int field, unsigned int wire) {
  pb_varint(buffer, (uint64_t)field << 3 | wire);
}

/* An integer field. 0 is every field's default, which proto3 leaves out. */
static void pb_integer(pb_buffer *buffer, unsigned int field, uint64_t value) {
  if (!value)
    return;
  pb_key(buffer, field, WIRE_VARINT);
  pb_varint(buffer, value);
}

/* A string, a nested message or a packed array. */
static void pb_bytes(pb_buffer *buffer, unsigned int field, const void *bytes,
                     size_t length) {
  pb_key(buffer, field, WIRE_BYTES);
  pb_varint(buffer, length);
  pb_append(buffer, bytes, length);
}

static void pb_nested(pb_buffer *buffer, unsigned int field,
                      pb_buffer *message) {
  pb_bytes(buffer, field, message->bytes, message->size);
  buffer->failed |= message->failed;
  message->size = 0;
}

static void pb_free(pb_buffer *buffer) { free(buffer->bytes); }

/* ---- profile.proto: the fields written ---- */

enum {
  PROFILE_SAMPLE_TYPE = 1,
  PROFILE_SAMPLE = 2,
  PROFILE_MAPPING = 3,
  PROFILE_LOCATION = 4,
  PROFILE_FUNCTION = 5,
  PROFILE_STRING_TABLE = 6,
  PROFILE_PERIOD_TYPE = 11,
  PROFILE_PERIOD = 12,
  PROFILE_COMMENT = 13,
  PROFILE_DEFAULT_SAMPLE_TYPE = 14,
  VALUE_TYPE_TYPE = 1,
  VALUE_TYPE_UNIT = 2,
  SAMPLE_LOCATION_ID = 1,
  SAMPLE_VALUE = 2,
  MAPPING_ID = 1,
  MAPPING_HAS_FUNCTIONS = 7,
  MAPPING_HAS_FILENAMES = 8,
  MAPPING_HAS_LINE_NUMBERS = 9,
  MAPPING_HAS_INLINE_FRAMES = 10,
  LOCATION_ID = 1,
  LOCATION_MAPPING_ID = 2,
  LOCATION_LINE = 4,
  LINE_FUNCTION_ID = 1,
  LINE_LINE = 2,
  FUNCTION_ID = 1,
  FUNCTION_NAME = 2,
  FUNCTION_SYSTEM_NAME = 3,
  FUNCTION_FILENAME = 4,
};

/* ---- The writer ---- */

enum { DEFLATE_AT = 1 << 16 }; /* bytes of top-level fields */

typedef struct pprof_writer {
  FILE *out;
  z_stream zstream;
  int zstatus;       /* of the last deflate() */
  pb_buffer pending; /* top-level fields not deflated yet */
  pb_buffer message; /* the top-level field being encoded */
  pb_buffer inner;   /* a message or packed array nested in it */
  /* Numbers of the objects met, from 0; ids in the profile are from 1. */
  /* Inlined chains, innermost frame first: (frame, the number of the rest
   * of the chain + 1, or NULL for a frame that was not inlined). */
  cli_numbering *chains;
  cli_key *chain_keys;      /* by number, while the locations are written */
  cli_numbering *locations; /* chains: (their number + 1, NULL) */
  cli_numbering *functions; /* (function name, file name) */
  cli_numbering *strings;   /* by address: the snapshot's are interned */
  int has_counts;           /* the alloc_* columns are written */
  int out_of_memory;
} pprof_writer;

/* Deflate the pending fields into the output, with zlib's flush mode. */
static void deflate_pending(pprof_writer *writer, int flush) {
  z_stream *zstream = &writer->zstream;
  zstream->next_in = writer->pending.bytes;
  zstream->avail_in = (uInt)writer->pending.size;
  unsigned char chunk[16384];
  do {
    zstream->next_out = chunk;
    zstream->avail_out = sizeof(chunk);
    writer->zstatus = deflate(zstream, flush);
    if (writer->zstatus == Z_STREAM_ERROR)
      return;
    fwrite(chunk, 1, sizeof(chunk) - zstream->avail_out, writer->out);
  } while (zstream->avail_out == 0);
  writer->pending.size = 0;
}

/* Append the message as the top-level field. */
static void emit(pprof_writer *writer, unsigned int field) {
  pb_nested(&writer->pending, field, &writer->message);
  if (writer->pending.size >= DEFLATE_AT)
    deflate_pending(writer, Z_NO_FLUSH);
}

/* The number of a key, from 1; 0 (and out_of_memory set) when out of
 * memory. */
static uint64_t id_of(pprof_writer *writer, cli_numbering *numbering,
                      const void *first, const void *second) {
  size_t number = cli_number(numbering, first, second);
  if (number == CLI_NO_NUMBER) {
    writer->out_of_memory = 1;
    return 0;
  }
  return (uint64_t)number + 1;
}

/* A string's index in the string table, whose index 0 is "". */
static uint64_t string_index(pprof_writer *writer, const char *text) {
  return id_of(writer, writer->strings, text, NULL) - 1;
}

static void write_value_type(pprof_writer *writer, unsigned int field,
                             const char *type, const char *unit) {
  pb_integer(&writer->message, VALUE_TYPE_TYPE, string_index(writer, type));
  pb_integer(&writer->message, VALUE_TYPE_UNIT, string_index(writer, unit));
  emit(writer, field);
}

/* ---- The profile's parts, in the order they are written ---- */

enum { NCOMMENT = 3, COMMENT_SIZE = 128 };
enum { MAPPING = 1 }; /* the id of the one mapping */

static void write_header(pprof_writer *writer,
                         char comments[NCOMMENT][COMMENT_SIZE]) {
  static const char empty[] = "";
  string_index(writer, empty); /* index 0 */
  for (size_t i = 0; i < NCOLUMN; i++) {
    if (!columns[i].needs_counts || writer->has_counts)
      write_value_type(writer, PROFILE_SAMPLE_TYPE, columns[i].type,
                       columns[i].unit);
  }
  write_value_type(writer, PROFILE_PERIOD_TYPE, "space", bytes_unit);
  pb_integer(&writer->message, MAPPING_ID, MAPPING);
  pb_integer(&writer->message, MAPPING_HAS_FUNCTIONS, 1);
  pb_integer(&writer->message, MAPPING_HAS_FILENAMES, 1);
  pb_integer(&writer->message, MAPPING_HAS_LINE_NUMBERS, 1);
  pb_integer(&writer->message, MAPPING_HAS_INLINE_FRAMES, 1);
  emit(writer, PROFILE_MAPPING);
  pb_integer(&writer->pending, PROFILE_PERIOD, 1);
  for (size_t i = 0; i < NCOMMENT; i++) {
    pb_key(&writer->pending, PROFILE_COMMENT, WIRE_VARINT);
    pb_varint(&writer->pending, string_index(writer, comments[i]));
  }
  pb_integer(&writer->pending, PROFILE_DEFAULT_SAMPLE_TYPE,
             string_index(writer, columns[NCOLUMN - 1].type));
}

/* The location of the inlined chain that ends at frames[*end] (oldest
 * first): frames[*end] and the older frames it is inlined into, up to one
 * that was not inlined (or the oldest frame of a truncated traceback).
 * *end moves past the chain. */
static uint64_t chain_location(pprof_writer *writer,
                               const tracemalloc_frame *const *frames,
                               unsigned int *end) {
  unsigned int innermost = *end, outer = innermost;
  while (outer > 0 && tracemalloc_frame_is_inlined(frames[outer]))
    outer--;
  uintptr_t chain = 0; /* number + 1 of the chain so far, from outer in */
  for (unsigned int i = outer; i <= innermost; i++)
    chain = (uintptr_t)id_of(writer, writer->chains, frames[i], (void *)chain);
  *end = outer;
  return id_of(writer, writer->locations, (void *)chain, NULL);
}

static void write_sample(pprof_writer *writer, const pprof_sample *sample) {
  const tracemalloc_traceback *traceback = sample->traceback;
  /* Leaf first. */
  for (unsigned int end = traceback->nframe; end-- > 0;)
    pb_varint(&writer->inner, chain_location(writer, traceback->frames, &end));
  pb_nested(&writer->message, SAMPLE_LOCATION_ID, &writer->inner);
  for (size_t i = 0; i < NCOLUMN; i++) {
    if (columns[i].needs_counts && !writer->has_counts)
      continue;
    uint64_t value = columns[i].value(sample);
    pb_varint(&writer->inner, value > INT64_MAX ? INT64_MAX : value);
  }
  pb_nested(&writer->message, SAMPLE_VALUE, &writer->inner);
  emit(writer, PROFILE_SAMPLE);
}

static const char *function_name(const tracemalloc_frame *frame) {
  return frame->function && *frame->function ? frame->function
                                             : frame->filename;
}

/* A location: the Lines of its chain, innermost first. */
static void write_location(pprof_writer *writer, uint64_t id, uintptr_t chain) {
  pb_integer(&writer->message, LOCATION_ID, id);
  pb_integer(&writer->message, LOCATION_MAPPING_ID, MAPPING);
  for (; chain; chain = (uintptr_t)writer->chain_keys[chain - 1].second) {
    const tracemalloc_frame *frame = writer->chain_keys[chain - 1].first;
    pb_integer(&writer->inner, LINE_FUNCTION_ID,
               id_of(writer, writer->functions, function_name(frame),
                     frame->filename));
    pb_integer(&writer->inner, LINE_LINE, frame->lineno);
    pb_nested(&writer->message, LOCATION_LINE, &writer->inner);
  }
  emit(writer, PROFILE_LOCATION);
}

static void write_function(pprof_writer *writer, uint64_t id, const char *name,
                           const char *filename) {
  uint64_t name_index = string_index(writer, name);
  pb_integer(&writer->message, FUNCTION_ID, id);
  pb_integer(&writer->message, FUNCTION_NAME, name_index);
  pb_integer(&writer->message, FUNCTION_SYSTEM_NAME, name_index);
  pb_integer(&writer->message, FUNCTION_FILENAME,
             string_index(writer, filename));
  emit(writer, PROFILE_FUNCTION);
}

/* Every key of numbering, in order, to write(writer, id, first, second). */
static void write_numbered(pprof_writer *writer, cli_numbering *numbering,
                           void (*write)(pprof_writer *writer, uint64_t id,
                                         const void *first,
                                         const void *second)) {
  cli_key *keys = cli_numbering_keys(numbering);
  if (!keys) {
    writer->out_of_memory = 1;
    return;
  }
  for (size_t i = 0; i < cli_numbering_count(numbering); i++)
    write(writer, i + 1, keys[i].first, keys[i].second);
  free(keys);
}

static void write_location_key(pprof_writer *writer, uint64_t id,
                               const void *chain, const void *unused) {
  (void)unused;
  write_location(writer, id, (uintptr_t)chain);
}

static void write_function_key(pprof_writer *writer, uint64_t id,
                               const void *name, const void *filename) {
  write_function(writer, id, name, filename);
}

static void write_string_key(pprof_writer *writer, uint64_t id,
                             const void *text, const void *unused) {
  (void)id, (void)unused;
  pb_bytes(&writer->pending, PROFILE_STRING_TABLE, text, strlen(text));
  if (writer->pending.size >= DEFLATE_AT)
    deflate_pending(writer, Z_NO_FLUSH);
}

/* ---- Comments ---- */

static size_t truncated_traces(const tracemalloc_snapshot *snapshot) {
  size_t count = 0;
  size_t ntrace = tracemalloc_snapshot_trace_count(snapshot);
  for (size_t i = 0; i < ntrace; i++) {
    const tracemalloc_traceback *traceback =
        tracemalloc_snapshot_trace(snapshot, i)->traceback;
    count += traceback->total_nframe > traceback->nframe;
  }
  return count;
}

static void format_comments(char comments[NCOMMENT][COMMENT_SIZE],
                            const tracemalloc_snapshot *snapshot) {
  snprintf(comments[0], COMMENT_SIZE, "tracemalloc: traceback limit: %u",
           tracemalloc_snapshot_traceback_limit(snapshot));
  snprintf(comments[1], COMMENT_SIZE,
           "tracemalloc: lost traces: %llu (allocations not recorded)",
           (unsigned long long)tracemalloc_snapshot_lost_traces(snapshot));
  snprintf(comments[2], COMMENT_SIZE,
           "tracemalloc: truncated tracebacks: %zu (traces with more frames "
           "than the limit)",
           truncated_traces(snapshot));
}

/* ---- export --format pprof ---- */

/* ---- Samples ----
 * The live blocks by traceback of frames, and the allocation counters
 * grouped the same way (tracebacks whose blocks are all freed included):
 * one sample per traceback of frames found in either, in that order. */

typedef struct pprof_samples {
  pprof_sample *items;
  size_t count;
  tm_hash_table by_frames; /* of pprof_sample */
} pprof_samples;

static uint64_t hash_frames(const tracemalloc_traceback *traceback) {
  uint64_t hash = traceback->nframe;
  for (unsigned int i = 0; i < traceback->nframe; i++)
    hash = tm_hash_mix(hash, (uint64_t)(uintptr_t)traceback->frames[i]);
  return hash;
}

/* Interned frames: equal frames are the same pointer. */
static int same_frames(const void *entry, const void *key) {
  const tracemalloc_traceback *a = ((const pprof_sample *)entry)->traceback;
  const tracemalloc_traceback *b = key;
  return a->nframe == b->nframe &&
         memcmp(a->frames, b->frames, a->nframe * sizeof(a->frames[0])) == 0;
}

/* The sample of traceback's frames, new or not; NULL when out of memory.
 * items has room for every group. */
static pprof_sample *sample_of(pprof_samples *samples,
                               const tracemalloc_traceback *traceback) {
  uint64_t hash = hash_frames(traceback);
  tm_hash_slot *slot =
      tm_hash_table_find(&samples->by_frames, hash, same_frames, traceback);
  if (slot->entry)
    return slot->entry;
  pprof_sample *sample = &samples->items[samples->count++];
  *sample = (pprof_sample){.traceback = traceback};
  if (tm_hash_table_insert(&samples->by_frames, slot, hash, sample) < 0)
    return NULL;
  return sample;
}

static int make_samples(pprof_samples *samples,
                        const tracemalloc_statistics *live,
                        const tracemalloc_allocation_statistics *allocated) {
  size_t room = live->count + (allocated ? allocated->count : 0);
  samples->items = calloc(room + 1, sizeof(*samples->items));
  if (!samples->items ||
      tm_hash_table_init(&samples->by_frames, room, &tm_raw_allocator) < 0)
    return -1;
  for (size_t i = 0; i < live->count; i++) {
    pprof_sample *sample = sample_of(samples, live->items[i].traceback);
    if (!sample)
      return -1;
    sample->inuse_objects = live->items[i].count;
    sample->inuse_space = live->items[i].size;
  }
  for (size_t i = 0; allocated && i < allocated->count; i++) {
    pprof_sample *sample = sample_of(samples, allocated->items[i].traceback);
    if (!sample)
      return -1;
    sample->alloc_objects = allocated->items[i].allocations;
    sample->alloc_space = allocated->items[i].allocated;
  }
  return 0;
}

static int write_profile(pprof_writer *writer, const pprof_samples *samples,
                         const tracemalloc_snapshot *snapshot) {
  char comments[NCOMMENT][COMMENT_SIZE];
  format_comments(comments, snapshot);
  write_header(writer, comments);
  for (size_t i = 0; i < samples->count; i++)
    write_sample(writer, &samples->items[i]);
  writer->chain_keys = cli_numbering_keys(writer->chains);
  if (writer->chain_keys)
    write_numbered(writer, writer->locations, write_location_key);
  else
    writer->out_of_memory = 1;
  free(writer->chain_keys);
  writer->chain_keys = NULL;
  write_numbered(writer, writer->functions, write_function_key);
  write_numbered(writer, writer->strings, write_string_key);
  if (writer->out_of_memory || writer->pending.failed ||
      writer->message.failed || writer->inner.failed)
    return cli_fail("out of memory");
  deflate_pending(writer, Z_FINISH);
  if (writer->zstatus != Z_STREAM_END)
    return cli_fail("cannot compress the profile: %s",
                    writer->zstream.msg ? writer->zstream.msg : "zlib error");
  return 0;
}

int cli_write_pprof(FILE *out, const tracemalloc_snapshot *snapshot,
                    const cli_options *options) {
  (void)options;
  pprof_writer writer = {.out = out};
  writer.has_counts = tracemalloc_snapshot_has_allocation_counts(snapshot);
  tracemalloc_statistics *live =
      cli_statistics_by_function(snapshot, TRACEMALLOC_KEY_TRACEBACK);
  tracemalloc_allocation_statistics *allocated = NULL;
  if (live && writer.has_counts) {
    allocated = tracemalloc_snapshot_allocations_by_function(
        snapshot, TRACEMALLOC_KEY_TRACEBACK, TRACEMALLOC_SORT_ALLOCATED);
    if (!allocated) {
      tracemalloc_statistics_free(live);
      return cli_fail("%s", tracemalloc_last_error());
    }
  }
  if (!live)
    return EXIT_ERROR;
  pprof_samples samples = {0};
  writer.chains = cli_numbering_new();
  writer.locations = cli_numbering_new();
  writer.functions = cli_numbering_new();
  writer.strings = cli_numbering_new();
  int status;
  /* windowBits 15 + 16: a gzip header and trailer around the deflate
   * stream, which is what pprof reads. */
  if (make_samples(&samples, live, allocated) < 0 || !writer.chains ||
      !writer.locations || !writer.functions || !writer.strings ||
      deflateInit2(&writer.zstream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16,
                   8, Z_DEFAULT_STRATEGY) != Z_OK)
    status = cli_fail("out of memory");
  else {
    status = write_profile(&writer, &samples, snapshot);
    deflateEnd(&writer.zstream);
  }
  tm_hash_table_fini(&samples.by_frames);
  free(samples.items);
  cli_numbering_free(writer.chains);
  cli_numbering_free(writer.locations);
  cli_numbering_free(writer.functions);
  cli_numbering_free(writer.strings);
  pb_free(&writer.pending);
  pb_free(&writer.message);
  pb_free(&writer.inner);
  tracemalloc_allocation_statistics_free(allocated);
  tracemalloc_statistics_free(live);
  return status;
}
