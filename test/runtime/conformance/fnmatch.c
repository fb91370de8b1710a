// Filter patterns match exactly as Python's Filter._match_frame_impl():
// fnmatch.fnmatch() on names normalised for ".pyc", which is Python's own
// translation of the pattern (no escape character, '!' negates but '^' does
// not, no [:classes:], reversed ranges dropped, one code point per '?',
// bytes that are not UTF-8 as surrogate escapes), not fnmatch(3). The
// hand-picked cases of api_fnmatch.py and 3000 random patterns over 80 names,
// each through tracemalloc_snapshot_filter_traces(), against Python.
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common -I%srcroot/runtime/snapshot %s %libdir/libtm_core.a -lpthread -o %t
// RUN: %python %S/Inputs/api_fnmatch.py cases 1 3000 > %t.cases
// RUN: %python %S/Inputs/api_fnmatch.py expected < %t.cases > %t.expected
// RUN: %t < %t.cases > %t.out
// RUN: diff %t.expected %t.out
// clang-format on
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CASES = 8192, MAX_TEXT = 256 };

static char *unhex(const char *hex) {
  char *text = calloc(MAX_TEXT, 1);
  if (strcmp(hex, "-") == 0)
    return text;
  for (size_t i = 0; hex[2 * i] && hex[2 * i + 1] && i < MAX_TEXT - 1; i++) {
    unsigned int byte;
    sscanf(hex + 2 * i, "%2x", &byte);
    text[i] = (char)byte;
  }
  return text;
}

/* One trace per name, its domain the name's position. */
static tracemalloc_snapshot *snapshot_of(char **names, size_t n) {
  tm_snapshot_builder *builder = tm_builder_new(1, 0);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_frame *frame = tm_builder_frame(builder, names[i], 1, "");
    const tracemalloc_traceback *traceback =
        tm_builder_traceback(builder, &frame, 1, 1);
    tm_builder_add_trace(builder, (unsigned int)i, 1, traceback);
  }
  return tm_builder_finish(builder);
}

static void print_matches(const tracemalloc_snapshot *snapshot,
                          const char *pattern, size_t nnames) {
  tracemalloc_filter filter = tracemalloc_filter_make(1, pattern, -1, 0, -1);
  tracemalloc_snapshot *kept =
      tracemalloc_snapshot_filter_traces(snapshot, &filter, 1);
  char row[MAX_CASES + 1];
  memset(row, '0', nnames);
  row[nnames] = '\0';
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(kept); i++)
    row[tracemalloc_snapshot_trace(kept, i)->domain] = '1';
  puts(row);
  tracemalloc_snapshot_free(kept);
}

int main(void) {
  static char *names[MAX_CASES], *patterns[MAX_CASES];
  size_t nnames = 0, npatterns = 0;
  char kind[4], hex[2 * MAX_TEXT + 2];
  while (scanf("%3s %513s", kind, hex) == 2) {
    if (kind[0] == 'N' && nnames < MAX_CASES)
      names[nnames++] = unhex(hex);
    else if (kind[0] == 'P' && npatterns < MAX_CASES)
      patterns[npatterns++] = unhex(hex);
  }
  tracemalloc_snapshot *snapshot = snapshot_of(names, nnames);
  for (size_t i = 0; i < npatterns; i++)
    print_matches(snapshot, patterns[i], nnames);
  tracemalloc_snapshot_free(snapshot);
  return 0;
}
