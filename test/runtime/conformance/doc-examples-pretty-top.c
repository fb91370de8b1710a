// The module documentation's "Pretty top": display_top() filters out
// "<frozen importlib._bootstrap>" and "<unknown>", prints the 10 lines that
// allocate the most with their source line (from Traceback.format(), read the
// way linecache reads it), then "N other" and the total. A traced program
// always knows its frames, so the traces the filters drop come from a second
// snapshot, made with tm-mksnap: "<unknown>" frames, and files that cannot be
// read (no source line).
//
//   def display_top(snapshot, key_type='lineno', limit=10):
//       snapshot = snapshot.filter_traces((
//           tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
//           tracemalloc.Filter(False, "<unknown>"),
//       ))
//       top_stats = snapshot.statistics(key_type)
//       print("Top %s lines" % limit)
//       for index, stat in enumerate(top_stats[:limit], 1):
//           frame = stat.traceback[0]
//           print("#%s: %s:%s: %.1f KiB"
//                 % (index, frame.filename, frame.lineno, stat.size / 1024))
//           line = linecache.getline(frame.filename, frame.lineno).strip()
//           if line:
//               print('    %s' % line)
//       other = top_stats[limit:]
//       if other:
//           size = sum(stat.size for stat in other)
//           print("%s other: %.1f KiB" % (len(other), size / 1024))
//       total = sum(stat.size for stat in top_stats)
//       print("Total allocated size: %.1f KiB" % (total / 1024))
//
// clang-format off
// RUN: %tmcc -O1 %s -o %t
// RUN: printf 'trace 0 999999 <unknown>:0\ntrace 0 4000 lib.c:7 <unknown>:0\ntrace 0 3000 lib.c:8\ntrace 0 1000 <unknown>:0 lib.c:9\n' > %t.txt
// RUN: %mksnap %t.txt %t.tms
// RUN: %t %t.tms | FileCheck --match-full-lines %s
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void *blocks[200];
static size_t nblock;

static void keep(void *block) { blocks[nblock++] = block; }

__attribute__((noinline)) static void run_application(void) {
  for (int i = 0; i < 12; i++) {
    keep(malloc(4096));    /* 4 KiB x 12 */
    keep(calloc(100, 10)); /* 1000 B x 12 */
  }
  keep(malloc(430000));
  keep(malloc(300000));
  char *text = malloc(300);
  keep(text);
  keep(strdup("a copy"));
  keep(realloc(malloc(1), 70000));
  keep(malloc(62000));
  keep(malloc(61500));
  keep(malloc(60000));
  keep(malloc(512 + 256 + 128));
  keep(malloc(64));
  keep(malloc(32));
}

static void display_top(const tracemalloc_snapshot *snapshot,
                        tracemalloc_key_type key_type, size_t limit) {
  tracemalloc_filter filters[] = {
      tracemalloc_filter_make(0, "<frozen importlib._bootstrap>", -1, 0, -1),
      tracemalloc_filter_make(0, "<unknown>", -1, 0, -1),
  };
  tracemalloc_snapshot *filtered =
      tracemalloc_snapshot_filter_traces(snapshot, filters, 2);
  tracemalloc_statistics *top_stats =
      tracemalloc_snapshot_statistics(filtered, key_type, 0);

  printf("Top %zu lines\n", limit);
  for (size_t index = 0; index < top_stats->count && index < limit; index++) {
    const tracemalloc_statistic *stat = &top_stats->items[index];
    const tracemalloc_frame *frame = stat->traceback->frames[0];
    printf("#%zu: %s:%u: %.1f KiB\n", index + 1, frame->filename, frame->lineno,
           stat->size / 1024.0);
    /* format() gives '  File ...' and, if the line is not blank,
     * '    SOURCE': the doc's linecache.getline().strip(). */
    size_t nlines;
    char **lines =
        tracemalloc_traceback_format(stat->traceback, 0, 0, 0, &nlines);
    if (nlines == 2)
      printf("%s\n", lines[1]);
    tracemalloc_lines_free(lines);
  }
  size_t total = 0, other = 0;
  for (size_t i = 0; i < top_stats->count; i++) {
    total += top_stats->items[i].size;
    if (i >= limit)
      other += top_stats->items[i].size;
  }
  if (top_stats->count > limit)
    printf("%zu other: %.1f KiB\n", top_stats->count - limit, other / 1024.0);
  printf("Total allocated size: %.1f KiB\n", total / 1024.0);
  tracemalloc_statistics_free(top_stats);
  tracemalloc_snapshot_free(filtered);
}

int main(int argc, char **argv) {
  tracemalloc_start(1);
  run_application();
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  display_top(snapshot, TRACEMALLOC_KEY_LINENO, 10);
  tracemalloc_snapshot_free(snapshot);
  if (argc > 1) {
    snapshot = tracemalloc_snapshot_load(argv[1]);
    display_top(snapshot, TRACEMALLOC_KEY_LINENO, 10);
    tracemalloc_snapshot_free(snapshot);
  }
  for (size_t i = 0; i < nblock; i++)
    free(blocks[i]);
  return 0;
}
// clang-format off
// CHECK:      Top 10 lines
// CHECK-NEXT: #1: {{/.*}}/doc-examples-pretty-top.c:51: 419.9 KiB
// CHECK-NEXT:     keep(malloc(430000));
// CHECK-NEXT: #2: {{/.*}}/doc-examples-pretty-top.c:52: 293.0 KiB
// CHECK-NEXT:     keep(malloc(300000));
// CHECK-NEXT: #3: {{/.*}}/doc-examples-pretty-top.c:56: 68.4 KiB
// CHECK-NEXT:     keep(realloc(malloc(1), 70000));
// CHECK-NEXT: #4: {{/.*}}/doc-examples-pretty-top.c:57: 60.5 KiB
// CHECK-NEXT:     keep(malloc(62000));
// CHECK-NEXT: #5: {{/.*}}/doc-examples-pretty-top.c:58: 60.1 KiB
// CHECK-NEXT:     keep(malloc(61500));
// CHECK-NEXT: #6: {{/.*}}/doc-examples-pretty-top.c:59: 58.6 KiB
// CHECK-NEXT:     keep(malloc(60000));
// CHECK-NEXT: #7: {{/.*}}/doc-examples-pretty-top.c:48: 48.0 KiB
// CHECK-NEXT:     keep(malloc(4096));    /* 4 KiB x 12 */
// CHECK-NEXT: #8: {{/.*}}/doc-examples-pretty-top.c:49: 11.7 KiB
// CHECK-NEXT:     keep(calloc(100, 10)); /* 1000 B x 12 */
// CHECK-NEXT: #9: {{/.*}}/doc-examples-pretty-top.c:60: 0.9 KiB
// CHECK-NEXT:     keep(malloc(512 + 256 + 128));
// CHECK-NEXT: #10: {{/.*}}/doc-examples-pretty-top.c:53: 0.3 KiB
// CHECK-NEXT:     char *text = malloc(300);
// CHECK-NEXT: 3 other: 0.1 KiB
// CHECK-NEXT: Total allocated size: 1021.4 KiB
//
// Only the most recent frame counts: "<unknown>" below lib.c:7 stays, the
// trace at lib.c:9 called from "<unknown>" goes. lib.c does not exist.
// CHECK-NEXT: Top 10 lines
// CHECK-NEXT: #1: lib.c:7: 3.9 KiB
// CHECK-NEXT: #2: lib.c:8: 2.9 KiB
// CHECK-NEXT: Total allocated size: 6.8 KiB
// CHECK-NOT:  {{.}}
// clang-format on
