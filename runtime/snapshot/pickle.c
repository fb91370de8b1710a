/*
 * pickle.c - snapshots as pickles that Python's tracemalloc.Snapshot.load()
 * reads (see docs/python-semantics.md, "The pickle export").
 *
 * The object graph is what pickle.dump(snapshot, f, 2) of a Python
 * snapshot holds:
 *
 *   Snapshot.__new__(Snapshot) with state
 *     {'traces': _Traces.__new__(_Traces) with state
 *                  {'_traces': [(domain, size, frames, total_nframe), ...]},
 *      'traceback_limit': N}
 *
 * where frames is a tuple of (filename, lineno), most recent first: the
 * reverse of our tracebacks. Protocol 2, so every Python 3 reads it; no
 * memo (each string is written where it is used) and no framing, so the
 * writer streams the traces without keeping anything. What Python has no
 * place for is left out: functions and the lost trace count.
 *
 * Strings are BINUNICODE, which Python decodes as UTF-8 with
 * "surrogatepass": a file name that is not valid UTF-8 is written with its
 * bad bytes as the surrogates U+DC80..U+DCFF, the str os.fsdecode() gives
 * for it.
 */
#include "atomic_file.h"
#include "snapshot.h"
#include "unicode.h"

#include <string.h>

/* The opcodes used (Lib/pickle.py). */
enum {
  OP_MARK = '(',
  OP_STOP = '.',
  OP_BININT = 'J',
  OP_BININT1 = 'K',
  OP_BININT2 = 'M',
  OP_BINUNICODE = 'X',
  OP_APPEND = 'a',
  OP_APPENDS = 'e',
  OP_BUILD = 'b',
  OP_GLOBAL = 'c',
  OP_EMPTY_DICT = '}',
  OP_EMPTY_LIST = ']',
  OP_EMPTY_TUPLE = ')',
  OP_SETITEM = 's',
  OP_SETITEMS = 'u',
  OP_TUPLE = 't',
  OP_PROTO = 0x80,
  OP_NEWOBJ = 0x81,
  OP_TUPLE1 = 0x85,
  OP_TUPLE2 = 0x86,
  OP_TUPLE3 = 0x87,
  OP_LONG1 = 0x8a,
};

/* Python's pickler appends list items in batches of this many. */
enum { BATCH_SIZE = 1000 };

typedef struct pickler {
  tm_file_writer *out;
  const tracemalloc_snapshot *snapshot;
  /* By string index: 1 if the string is not valid UTF-8. */
  const unsigned char *escaped;
} pickler;

static void put_opcode(pickler *pickler, unsigned char opcode) {
  tm_file_put(pickler->out, &opcode, 1);
}

/* BININT1, BININT2 or BININT (a signed 32-bit int), whichever is the
 * smallest, and LONG1 (little-endian two's complement, as few bytes as
 * keep the sign bit clear) from 2**31 on. */
static void put_int(pickler *pickler, uint64_t value) {
  unsigned char bytes[11];
  size_t n;
  if (value < 0x100) {
    bytes[0] = OP_BININT1;
    n = 1;
  } else if (value < 0x10000) {
    bytes[0] = OP_BININT2;
    n = 2;
  } else if (value < 0x80000000u) {
    bytes[0] = OP_BININT;
    n = 4;
  } else {
    bytes[0] = OP_LONG1;
    n = 0;
    while (n < 8 && (value >> (8 * n)) != 0)
      n++;
    if ((value >> (8 * n - 1)) & 1)
      n++; /* the top bit would read as a sign: add a 0 byte */
    bytes[1] = (unsigned char)n;
    for (size_t i = 0; i < n; i++)
      bytes[2 + i] = i < 8 ? (unsigned char)(value >> (8 * i)) : 0;
    tm_file_put(pickler->out, bytes, n + 2);
    return;
  }
  for (size_t i = 0; i < n; i++)
    bytes[1 + i] = (unsigned char)(value >> (8 * i));
  tm_file_put(pickler->out, bytes, n + 1);
}

static void put_binunicode_header(pickler *pickler, size_t length) {
  unsigned char bytes[5] = {OP_BINUNICODE};
  for (int i = 0; i < 4; i++)
    bytes[1 + i] = (unsigned char)(length >> (8 * i));
  tm_file_put(pickler->out, bytes, sizeof(bytes));
}

/* A string that is not valid UTF-8: valid sequences as they are, each bad
 * byte as the 3-byte encoding of U+DC00 + byte (always U+DC80..U+DCFF). */
static void put_escaped_string(pickler *pickler, const char *text,
                               size_t length) {
  const unsigned char *in = (const unsigned char *)text;
  uint32_t code_point;
  size_t encoded = 0;
  for (size_t at = 0; at < length;) {
    size_t n = tm_utf8_sequence(in + at, length - at, &code_point);
    encoded += n ? n : 3;
    at += n ? n : 1;
  }
  put_binunicode_header(pickler, encoded);
  for (size_t at = 0; at < length;) {
    size_t n = tm_utf8_sequence(in + at, length - at, &code_point);
    if (n) {
      tm_file_put(pickler->out, in + at, n);
      at += n;
      continue;
    }
    code_point = TM_SURROGATE_ESCAPE + in[at++];
    unsigned char bytes[3] = {
        (unsigned char)(0xE0 | (code_point >> 12)),
        (unsigned char)(0x80 | ((code_point >> 6) & 0x3F)),
        (unsigned char)(0x80 | (code_point & 0x3F))};
    tm_file_put(pickler->out, bytes, sizeof(bytes));
  }
}

/* A string written by the program, not one of the snapshot's. */
static void put_literal(pickler *pickler, const char *text) {
  size_t length = strlen(text);
  put_binunicode_header(pickler, length);
  tm_file_put(pickler->out, text, length);
}

/* An interned string of the snapshot. */
static void put_string(pickler *pickler, const char *text) {
  const tm_snap_string *string = tm_snap_string_of(text);
  if (pickler->escaped[string->index]) {
    put_escaped_string(pickler, text, string->length);
    return;
  }
  put_binunicode_header(pickler, string->length);
  tm_file_put(pickler->out, text, string->length);
}

/* Closes a tuple of n items: TUPLE1..3 need no MARK before the items. */
static void put_tuple_end(pickler *pickler, size_t n) {
  static const unsigned char small[] = {OP_EMPTY_TUPLE, OP_TUPLE1, OP_TUPLE2,
                                        OP_TUPLE3};
  put_opcode(pickler, n < 4 ? small[n] : OP_TUPLE);
}

static void put_frames(pickler *pickler,
                       const tracemalloc_traceback *traceback) {
  unsigned int n = traceback->nframe;
  if (n >= 4)
    put_opcode(pickler, OP_MARK);
  for (unsigned int i = n; i-- > 0;) {
    const tracemalloc_frame *frame = traceback->frames[i];
    put_string(pickler, frame->filename);
    put_int(pickler, frame->lineno);
    put_tuple_end(pickler, 2);
  }
  put_tuple_end(pickler, n);
}

/* (domain, size, frames, total_nframe) */
static void put_trace(pickler *pickler, const tracemalloc_trace *trace) {
  put_opcode(pickler, OP_MARK);
  put_int(pickler, trace->domain);
  put_int(pickler, trace->size);
  put_frames(pickler, trace->traceback);
  put_int(pickler, trace->traceback->total_nframe);
  put_tuple_end(pickler, 4);
}

/* The list of raw traces, appended in batches as Python's pickler does. */
static void put_traces(pickler *pickler) {
  const tracemalloc_snapshot *snapshot = pickler->snapshot;
  put_opcode(pickler, OP_EMPTY_LIST);
  for (size_t first = 0; first < snapshot->ntraces; first += BATCH_SIZE) {
    size_t left = snapshot->ntraces - first;
    size_t n = left < BATCH_SIZE ? left : BATCH_SIZE;
    if (n > 1)
      put_opcode(pickler, OP_MARK);
    for (size_t i = first; i < first + n; i++) {
      tracemalloc_trace trace = tm_snap_trace_at(snapshot, i);
      put_trace(pickler, &trace);
    }
    put_opcode(pickler, n > 1 ? OP_APPENDS : OP_APPEND);
  }
}

/* cls.__new__(cls): GLOBAL 'module\nname\n', EMPTY_TUPLE, NEWOBJ. */
static void put_new_object(pickler *pickler, const char *class_name) {
  put_opcode(pickler, OP_GLOBAL);
  tm_file_put(pickler->out, "tracemalloc\n", 12);
  tm_file_put(pickler->out, class_name, strlen(class_name));
  tm_file_put(pickler->out, "\n", 1);
  put_opcode(pickler, OP_EMPTY_TUPLE);
  put_opcode(pickler, OP_NEWOBJ);
}

static void put_snapshot(pickler *pickler) {
  static const unsigned char header[] = {OP_PROTO, 2};
  tm_file_put(pickler->out, header, sizeof(header));
  put_new_object(pickler, "Snapshot");
  put_opcode(pickler, OP_EMPTY_DICT);
  put_opcode(pickler, OP_MARK);
  put_literal(pickler, "traces");
  put_new_object(pickler, "_Traces");
  put_opcode(pickler, OP_EMPTY_DICT);
  put_literal(pickler, "_traces");
  put_traces(pickler);
  put_opcode(pickler, OP_SETITEM);
  put_opcode(pickler, OP_BUILD); /* the _Traces */
  put_literal(pickler, "traceback_limit");
  put_int(pickler, pickler->snapshot->traceback_limit);
  put_opcode(pickler, OP_SETITEMS);
  put_opcode(pickler, OP_BUILD); /* the Snapshot */
  put_opcode(pickler, OP_STOP);
}

static void write_pickle(tm_file_writer *out, const void *arg) {
  pickler pickler = *(const struct pickler *)arg;
  pickler.out = out;
  put_snapshot(&pickler);
}

/* Which strings need escaping, checked once per string rather than once
 * per frame written. NULL when out of memory. */
static unsigned char *find_escaped(const tracemalloc_snapshot *snapshot) {
  unsigned char *escaped = tm_raw_calloc(snapshot->nstrings + 1, 1);
  if (!escaped)
    return NULL;
  for (uint32_t i = 0; i < snapshot->nstrings; i++) {
    const tm_snap_string *string = snapshot->strings[i];
    const unsigned char *in = (const unsigned char *)string->text;
    uint32_t code_point;
    for (size_t at = 0; at < string->length && !escaped[i];) {
      size_t n = tm_utf8_sequence(in + at, string->length - at, &code_point);
      escaped[i] = n == 0;
      at += n;
    }
  }
  return escaped;
}

int tracemalloc_snapshot_dump_pickle(const tracemalloc_snapshot *snapshot,
                                     const char *path) {
  unsigned char *escaped = find_escaped(snapshot);
  if (!escaped) {
    tm_set_error("%s: out of memory", path);
    return -1;
  }
  pickler pickler = {.snapshot = snapshot, .escaped = escaped};
  int result = tm_file_write_atomic(path, write_pickle, &pickler);
  tm_raw_free(escaped);
  return result;
}
