// tracemalloc_traceback_format() shows the source lines that Python's
// Traceback.format() shows, read the way linecache reads them: UTF-8 with an
// optional BOM (a file that is not UTF-8 has no lines), universal newlines,
// str.strip()'s Unicode whitespace, "<...>" names never read, directories and
// missing files without lines, line 0 and lines past the end empty, and each
// file read once (a file changed afterwards still shows its old lines).
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common -I%srcroot/runtime/snapshot %s %libdir/libtm_core.a -lpthread -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir && cd %t.dir
// RUN: %python %S/Inputs/api_source_lines.py make > frames.txt
// RUN: %python %S/Inputs/api_source_lines.py expected < frames.txt > expected.txt
// RUN: %python %S/Inputs/api_source_lines.py make > frames.txt
// RUN: %t < frames.txt > out.txt
// RUN: diff expected.txt out.txt
// RUN: FileCheck --match-full-lines %s < out.txt
// clang-format on
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// A few of the lines, for the reader:
// CHECK:        File "lf.c", line 2
// CHECK-NEXT:     spaces and tabs
// CHECK-NEXT:   File "lf.c", line 3
// CHECK-NEXT:   File "lf.c", line 4
// CHECK:        File "crlf.c", line 4
// CHECK-NEXT:     four
// CHECK-NEXT:   File "crlf.c", line 5
// CHECK-NEXT:     five
// CHECK:        File "<string>", line 1
// CHECK-NEXT:   File "<string>", line 2
// CHECK:        File "<x", line 1
// CHECK-NEXT:     but this one it reads
// CHECK:        File "bad.c", line 1
// CHECK-NEXT:   File "bad.c", line 2
// CHECK:      truncate lf.c
// CHECK:        File "lf.c", line 1
// CHECK-NEXT:     int main(void) {

enum { MAX_FRAMES = 1000 };

typedef struct frame_ref {
  char *filename;
  unsigned int lineno;
} frame_ref;

static char *unhex(const char *hex) {
  size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
  char *text = calloc(n + 1, 1);
  for (size_t i = 0; i < n; i++) {
    unsigned int byte;
    sscanf(hex + 2 * i, "%2x", &byte);
    text[i] = (char)byte;
  }
  return text;
}

/* Traceback(((filename, lineno),)).format() */
static void print_format(tm_snapshot_builder *builder, const frame_ref *ref) {
  const tracemalloc_frame *frame =
      tm_builder_frame(builder, ref->filename, ref->lineno, "");
  const tracemalloc_traceback *traceback =
      tm_builder_traceback(builder, &frame, 1, 1);
  char **lines = tracemalloc_traceback_format(traceback, 0, 0, 0, NULL);
  for (size_t i = 0; lines[i]; i++)
    puts(lines[i]);
  tracemalloc_lines_free(lines);
}

int main(void) {
  static frame_ref frames[MAX_FRAMES];
  size_t n = 0;
  char hex[512];
  unsigned int lineno;
  while (n < MAX_FRAMES && scanf("%511s %u", hex, &lineno) == 2)
    frames[n++] = (frame_ref){unhex(hex), lineno};
  tm_snapshot_builder *builder = tm_builder_new(1, 0);
  for (size_t i = 0; i < n; i++)
    print_format(builder, &frames[i]);
  fclose(fopen("lf.c", "w"));
  puts("truncate lf.c");
  for (size_t i = 0; i < n; i++)
    if (strcmp(frames[i].filename, "lf.c") == 0)
      print_format(builder, &frames[i]);
  tm_builder_abort(builder);
  return 0;
}
