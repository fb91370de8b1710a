// tracemalloc_snapshot_dump_pickle(): the opcodes of a small snapshot
// (protocol 2, no memo, no framing), and what Python's Snapshot.load() reads
// back: integers at every encoding boundary (BININT1/BININT2/BININT, LONG1
// from 2**31), frames tuples of every length (TUPLE1..3, MARK ... TUPLE)
// reversed to most recent first, total_nframe, lists of 0, 1, 1000, 1001
// and 2500 traces (APPEND / APPENDS batches of 1000), file names that are
// not UTF-8 (surrogate escapes), the atomic write and its errors.
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common -I%srcroot/runtime/snapshot %s %libdir/libtm_core.a -lpthread -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir && cd %t.dir
// RUN: %t | FileCheck --check-prefix=C --match-full-lines %s
// RUN: %python %S/Inputs/api_pickle.py dis tiny.pickle | FileCheck --check-prefix=DIS --match-full-lines %s
// RUN: %python %S/Inputs/api_pickle.py load tiny.pickle ints.pickle tuples.pickle escape.pickle empty.pickle one.pickle many1000.pickle many1001.pickle many2500.pickle | FileCheck --check-prefix=LOAD --match-full-lines %s
// RUN: ls -A | FileCheck --check-prefix=LS --match-full-lines --implicit-check-not=tmp %s
// clang-format on
#include "snapshot.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct raw_frame {
  const char *filename;
  unsigned int lineno;
} raw_frame;

/* frames[]: most recent first, as Python's raw traces. */
static void add_trace(tm_snapshot_builder *builder, unsigned int domain,
                      size_t size, const raw_frame *raw, unsigned int nframe,
                      unsigned int total_nframe) {
  const tracemalloc_frame *frames[300];
  for (unsigned int i = 0; i < nframe; i++)
    frames[i] = tm_builder_frame(builder, raw[nframe - 1 - i].filename,
                                 raw[nframe - 1 - i].lineno, "f");
  tm_builder_add_trace(
      builder, domain, size,
      tm_builder_traceback(builder, frames, nframe, total_nframe));
}

static void dump(tm_snapshot_builder *builder, const char *path) {
  tracemalloc_snapshot *snapshot = tm_builder_finish(builder);
  if (tracemalloc_snapshot_dump_pickle(snapshot, path) < 0)
    printf("%s: %s\n", path, tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
}

static void write_tiny(void) {
  tm_snapshot_builder *builder = tm_builder_new(5, 7);
  static const raw_frame frames[] = {{"a.c", 1}, {"b.c", 2}};
  add_trace(builder, 0, 10, frames, 2, 2);
  dump(builder, "tiny.pickle");
}
// DIS:      0: \x80 PROTO      2
// DIS-NEXT:    2: c    GLOBAL     'tracemalloc Snapshot'
// DIS-NEXT:   24: )    EMPTY_TUPLE
// DIS-NEXT:   25: \x81 NEWOBJ
// DIS-NEXT:   26: }    EMPTY_DICT
// DIS-NEXT:   27: (    MARK
// DIS-NEXT:   28: X        BINUNICODE 'traces'
// DIS-NEXT:   39: c        GLOBAL     'tracemalloc _Traces'
// DIS-NEXT:   60: )        EMPTY_TUPLE
// DIS-NEXT:   61: \x81     NEWOBJ
// DIS-NEXT:   62: }        EMPTY_DICT
// DIS-NEXT:   63: X        BINUNICODE '_traces'
// DIS-NEXT:   75: ]        EMPTY_LIST
// DIS-NEXT:   76: (        MARK
// DIS-NEXT:   77: K            BININT1    0
// DIS-NEXT:   79: K            BININT1    10
// DIS-NEXT:   81: X            BINUNICODE 'a.c'
// DIS-NEXT:   89: K            BININT1    1
// DIS-NEXT:   91: \x86         TUPLE2
// DIS-NEXT:   92: X            BINUNICODE 'b.c'
// DIS-NEXT:  100: K            BININT1    2
// DIS-NEXT:  102: \x86         TUPLE2
// DIS-NEXT:  103: \x86         TUPLE2
// DIS-NEXT:  104: K            BININT1    2
// DIS-NEXT:  106: t            TUPLE      (MARK at 76)
// DIS-NEXT:  107: a        APPEND
// DIS-NEXT:  108: s        SETITEM
// DIS-NEXT:  109: b        BUILD
// DIS-NEXT:  110: X        BINUNICODE 'traceback_limit'
// DIS-NEXT:  130: K        BININT1    5
// DIS-NEXT:  132: u        SETITEMS   (MARK at 27)
// DIS-NEXT:  133: b    BUILD
// DIS-NEXT:  134: .    STOP
// DIS-NEXT: highest protocol among opcodes = 2
// LOAD:      tiny.pickle: Snapshot with _Traces of 1 traces, limit 5
// LOAD-NEXT: (0, 10, (('a.c', 1), ('b.c', 2)), 2)

static void write_ints(void) {
  static const uint64_t values[] = {
      0,          255,           256,         65535,
      65536,      2147483647,    2147483648u, 4294967295u,
      4294967296, 1099511627776, INT64_MAX,   (uint64_t)INT64_MAX + 1,
      UINT64_MAX};
  tm_snapshot_builder *builder = tm_builder_new(65535, 0);
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    unsigned int small =
        values[i] > UINT32_MAX ? UINT32_MAX : (unsigned int)values[i];
    raw_frame frame = {"i.c", small};
    add_trace(builder, small, (size_t)values[i], &frame, 1,
              small > 65535 ? 65535 : small);
  }
  dump(builder, "ints.pickle");
}
// LOAD-NEXT: ints.pickle: Snapshot with _Traces of 13 traces, limit 65535
// LOAD-NEXT: (0, 0, (('i.c', 0),), 0)
// LOAD-NEXT: (255, 255, (('i.c', 255),), 255)
// LOAD-NEXT: (256, 256, (('i.c', 256),), 256)
// LOAD-NEXT: (65535, 65535, (('i.c', 65535),), 65535)
// LOAD-NEXT: (65536, 65536, (('i.c', 65536),), 65535)
// LOAD-NEXT: (2147483647, 2147483647, (('i.c', 2147483647),), 65535)
// LOAD-NEXT: (2147483648, 2147483648, (('i.c', 2147483648),), 65535)
// LOAD-NEXT: (4294967295, 4294967295, (('i.c', 4294967295),), 65535)
// LOAD-NEXT: (4294967295, 4294967296, (('i.c', 4294967295),), 65535)
// LOAD-NEXT: (4294967295, 1099511627776, (('i.c', 4294967295),), 65535)
// LOAD-NEXT: (4294967295, 9223372036854775807, (('i.c', 4294967295),), 65535)
// LOAD-NEXT: (4294967295, 9223372036854775808, (('i.c', 4294967295),), 65535)
// LOAD-NEXT: (4294967295, 18446744073709551615, (('i.c', 4294967295),), 65535)

static void write_tuples(void) {
  static raw_frame frames[300];
  static char names[300][16];
  for (unsigned int i = 0; i < 300; i++) {
    snprintf(names[i], sizeof(names[i]), "f%u.c", i);
    frames[i] = (raw_frame){names[i], i + 1};
  }
  tm_snapshot_builder *builder = tm_builder_new(300, 0);
  for (unsigned int n = 1; n <= 5; n++)
    add_trace(builder, 0, n, frames, n, n + 100);
  add_trace(builder, 0, 300, frames, 300, 65535);
  dump(builder, "tuples.pickle");
}
// clang-format off
// LOAD-NEXT: tuples.pickle: Snapshot with _Traces of 6 traces, limit 300
// LOAD-NEXT: (0, 1, (('f0.c', 1),), 101)
// LOAD-NEXT: (0, 2, (('f0.c', 1), ('f1.c', 2)), 102)
// LOAD-NEXT: (0, 3, (('f0.c', 1), ('f1.c', 2), ('f2.c', 3)), 103)
// LOAD-NEXT: (0, 4, (('f0.c', 1), ('f1.c', 2), ('f2.c', 3), ('f3.c', 4)), 104)
// LOAD-NEXT: (0, 5, (('f0.c', 1), ('f1.c', 2), ('f2.c', 3), ('f3.c', 4), ('f4.c', 5)), 105)
// LOAD-NEXT: (0, 300, (('f0.c', 1), ('f1.c', 2), ('f2.c', 3), {{.*}}, ('f298.c', 299), ('f299.c', 300)), 65535)
// clang-format on

static void write_escape(void) {
  tm_snapshot_builder *builder = tm_builder_new(1, 0);
  static const raw_frame bad[] = {{"bad\xff.c", 1}};
  static const raw_frame mixed[] = {
      {"\xc3\xa9t\xc3\xa9-\xe6\x97\xa5-\xc3.c", 2}};
  static const raw_frame astral[] = {{"\xf0\x9f\x98\x80\xed\xa0\x80.c", 3}};
  add_trace(builder, 0, 1, bad, 1, 1);
  add_trace(builder, 0, 2, mixed, 1, 1);
  add_trace(builder, 0, 3, astral, 1, 1);
  dump(builder, "escape.pickle");
}
// Valid UTF-8 stays as it is; each bad byte (a lone lead byte, an encoded
// surrogate) is U+DC00 + the byte, as os.fsdecode() gives it.
// LOAD-NEXT: escape.pickle: Snapshot with _Traces of 3 traces, limit 1
// LOAD-NEXT: (0, 1, (('bad\udcff.c', 1),), 1)
// LOAD-NEXT: (0, 2, (('\xe9t\xe9-\u65e5-\udcc3.c', 2),), 1)
// LOAD-NEXT: (0, 3, (('\U0001f600\udced\udca0\udc80.c', 3),), 1)

static void write_many(const char *path, size_t n) {
  tm_snapshot_builder *builder = tm_builder_new(2, 0);
  for (size_t i = 0; i < n; i++) {
    raw_frame frames[] = {{"m.c", (unsigned int)(i % 7)}, {"main.c", 1}};
    add_trace(builder, (unsigned int)(i % 3), i, frames, 1 + i % 2, 2);
  }
  dump(builder, path);
}
// LOAD-NEXT: empty.pickle: Snapshot with _Traces of 0 traces, limit 2
// LOAD-NEXT: one.pickle: Snapshot with _Traces of 1 traces, limit 2
// LOAD-NEXT: (0, 0, (('m.c', 0),), 2)
// LOAD-NEXT: many1000.pickle: Snapshot with _Traces of 1000 traces, limit 2
// LOAD-NEXT: (0, 0, (('m.c', 0),), 2)
// LOAD-NEXT: (1, 1, (('m.c', 1), ('main.c', 1)), 2)
// LOAD-NEXT: (2, 998, (('m.c', 4),), 2)
// LOAD-NEXT: (0, 999, (('m.c', 5), ('main.c', 1)), 2)
// LOAD-NEXT: many1001.pickle: Snapshot with _Traces of 1001 traces, limit 2
// LOAD-NEXT: (0, 0, (('m.c', 0),), 2)
// LOAD-NEXT: (1, 1, (('m.c', 1), ('main.c', 1)), 2)
// LOAD-NEXT: (0, 999, (('m.c', 5), ('main.c', 1)), 2)
// LOAD-NEXT: (1, 1000, (('m.c', 6),), 2)
// LOAD-NEXT: many2500.pickle: Snapshot with _Traces of 2500 traces, limit 2
// LOAD-NEXT: (0, 0, (('m.c', 0),), 2)
// LOAD-NEXT: (1, 1, (('m.c', 1), ('main.c', 1)), 2)
// LOAD-NEXT: (2, 2498, (('m.c', 6),), 2)
// LOAD-NEXT: (0, 2499, (('m.c', 0), ('main.c', 1)), 2)

static void write_errors(void) {
  tm_snapshot_builder *builder = tm_builder_new(1, 0);
  tracemalloc_snapshot *snapshot = tm_builder_finish(builder);
  printf("no directory: %d: %s\n",
         tracemalloc_snapshot_dump_pickle(snapshot, "no-such-dir/x.pickle"),
         tracemalloc_last_error());
  /* Replacing a file: complete or not at all, no temporary left. */
  printf("replace: %d\n",
         tracemalloc_snapshot_dump_pickle(snapshot, "one.pickle"));
  tracemalloc_snapshot_free(snapshot);
  write_many("one.pickle", 1);
}
// clang-format off
// C:      no directory: -1: no-such-dir/x.pickle: cannot create temporary file no-such-dir/.x.pickle.tmp.{{[0-9]+}}.{{[0-9]+}}: No such file or directory
// C-NEXT: replace: 0
// C-NOT:  {{.}}
// LS:      empty.pickle
// LS-NEXT: escape.pickle
// LS-NEXT: ints.pickle
// LS-NEXT: many1000.pickle
// LS-NEXT: many1001.pickle
// LS-NEXT: many2500.pickle
// LS-NEXT: one.pickle
// LS-NEXT: tiny.pickle
// LS-NEXT: tuples.pickle
// clang-format on

int main(void) {
  write_tiny();
  write_ints();
  write_tuples();
  write_escape();
  write_many("empty.pickle", 0);
  write_many("one.pickle", 1);
  write_many("many1000.pickle", 1000);
  write_many("many1001.pickle", 1001);
  write_many("many2500.pickle", 2500);
  write_errors();
  return 0;
}
