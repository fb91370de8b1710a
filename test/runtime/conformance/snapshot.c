// CPython's Lib/test/test_tracemalloc.py, TestSnapshot and TestFilters, in
// C: the same raw traces (create_snapshots()), the same filters and the same
// expected values, printed the way the Python test writes them (raw traces
// most recent frame first, traceback(...) helpers with their arguments) so
// the CHECK lines read like the assertions they port.
//
// test_format_traceback mocks linecache.getline() to give '  <FILE, LINE>';
// here the files say it.
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common -I%srcroot/runtime/snapshot %s %libdir/libtm_core.a -lpthread -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir && cd %t.dir
// RUN: printf 'x\n  <a.py, 2>\n' > a.py
// RUN: printf 'x\nx\nx\n  <b.py, 4>\n' > b.py
// RUN: %t | FileCheck --match-full-lines %s
// clang-format on
#include "snapshot.h"

#include <stdio.h>
#include <string.h>

typedef struct raw_frame {
  const char *filename;
  unsigned int lineno;
} raw_frame;

/* As Python's raw traces: frames most recent first. */
typedef struct raw_trace {
  unsigned int domain;
  size_t size;
  raw_frame frames[4];
  unsigned int nframe;
  unsigned int total_nframe;
} raw_trace;

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static tracemalloc_snapshot *make_snapshot(const raw_trace *raw, size_t n,
                                           unsigned int limit) {
  tm_snapshot_builder *builder = tm_builder_new(limit, 0);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_frame *frames[4];
    /* The builder takes them oldest first, as Traceback reverses them. */
    for (unsigned int j = 0; j < raw[i].nframe; j++) {
      const raw_frame *frame = &raw[i].frames[raw[i].nframe - 1 - j];
      frames[j] = tm_builder_frame(builder, frame->filename, frame->lineno, "");
    }
    tm_builder_add_trace(builder, raw[i].domain, raw[i].size,
                         tm_builder_traceback(builder, frames, raw[i].nframe,
                                              raw[i].total_nframe));
  }
  return tm_builder_finish(builder);
}

/* create_snapshots() */
static const raw_trace raw_traces[] = {
    {0, 10, {{"a.py", 2}, {"b.py", 4}}, 2, 3},
    {0, 10, {{"a.py", 2}, {"b.py", 4}}, 2, 3},
    {0, 10, {{"a.py", 2}, {"b.py", 4}}, 2, 3},
    {1, 2, {{"a.py", 5}, {"b.py", 4}}, 2, 3},
    {2, 66, {{"b.py", 1}}, 1, 1},
    {3, 7, {{"<unknown>", 0}}, 1, 1},
};
static const raw_trace raw_traces2[] = {
    {0, 10, {{"a.py", 2}, {"b.py", 4}}, 2, 3},
    {0, 10, {{"a.py", 2}, {"b.py", 4}}, 2, 3},
    {0, 10, {{"a.py", 2}, {"b.py", 4}}, 2, 3},
    {2, 2, {{"a.py", 5}, {"b.py", 4}}, 2, 3},
    {2, 5000, {{"a.py", 5}, {"b.py", 4}}, 2, 3},
    {4, 400, {{"c.py", 578}}, 1, 1},
};

/* Python's repr of a tuple of (filename, lineno), most recent first. */
static void print_frames(const tracemalloc_traceback *traceback) {
  printf("(");
  for (unsigned int i = traceback->nframe; i-- > 0;)
    printf("('%s', %u)%s", traceback->frames[i]->filename,
           traceback->frames[i]->lineno,
           traceback->nframe == 1 ? ","
           : i                    ? ", "
                                  : "");
  printf(")");
}

/* snapshot.traces._traces, one raw trace a line. */
static void print_traces(const char *title,
                         const tracemalloc_snapshot *snapshot) {
  printf("%s:\n", title);
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    printf("(%u, %zu, ", trace->domain, trace->size);
    print_frames(trace->traceback);
    printf(", %u)\n", trace->traceback->total_nframe);
  }
}

/* The test's traceback(*frames) helper, most recent first. */
static void print_traceback_helper(const tracemalloc_traceback *traceback) {
  printf("traceback(");
  for (unsigned int i = traceback->nframe; i-- > 0;)
    printf("('%s', %u)%s", traceback->frames[i]->filename,
           traceback->frames[i]->lineno, i ? ", " : "");
  printf(")");
}

static void print_statistics(const char *title,
                             const tracemalloc_snapshot *snapshot,
                             tracemalloc_key_type key_type, int cumulative) {
  tracemalloc_statistics *stats =
      tracemalloc_snapshot_statistics(snapshot, key_type, cumulative);
  printf("%s:\n", title);
  for (size_t i = 0; i < stats->count; i++) {
    printf("Statistic(");
    print_traceback_helper(stats->items[i].traceback);
    printf(", %zu, %zu)\n", stats->items[i].size, stats->items[i].count);
  }
  tracemalloc_statistics_free(stats);
}

static void print_diffs(const char *title, const tracemalloc_snapshot *new,
                        const tracemalloc_snapshot *old,
                        tracemalloc_key_type key_type) {
  tracemalloc_statistic_diffs *diffs =
      tracemalloc_snapshot_compare_to(new, old, key_type, 0);
  printf("%s:\n", title);
  for (size_t i = 0; i < diffs->count; i++) {
    const tracemalloc_statistic_diff *diff = &diffs->items[i];
    printf("StatisticDiff(");
    print_traceback_helper(diff->traceback);
    printf(", %zu, %lld, %zu, %lld)\n", diff->size, (long long)diff->size_diff,
           diff->count, (long long)diff->count_diff);
  }
  tracemalloc_statistic_diffs_free(diffs);
}

static tracemalloc_snapshot *filtered(const tracemalloc_snapshot *snapshot,
                                      const tracemalloc_filter *filters,
                                      size_t n) {
  return tracemalloc_snapshot_filter_traces(snapshot, filters, n);
}

static void test_create_snapshot(void) {
  static const raw_trace raw[] = {{0, 5, {{"a.py", 2}}, 1, 10}};
  tracemalloc_snapshot *snapshot = make_snapshot(raw, 1, 5);
  const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, 0);
  printf("test_create_snapshot: limit=%u len=%zu size=%zu total_nframe=%u "
         "len(traceback)=%u frame=%s:%u\n",
         tracemalloc_snapshot_traceback_limit(snapshot),
         tracemalloc_snapshot_trace_count(snapshot), trace->size,
         trace->traceback->total_nframe, trace->traceback->nframe,
         trace->traceback->frames[0]->filename,
         trace->traceback->frames[0]->lineno);
  tracemalloc_snapshot_free(snapshot);
}
// clang-format off
// CHECK: test_create_snapshot: limit=5 len=1 size=5 total_nframe=10 len(traceback)=1 frame=a.py:2
// clang-format on

static void test_filter_traces(const tracemalloc_snapshot *snapshot) {
  tracemalloc_filter filter1 = tracemalloc_filter_make(0, "b.py", -1, 0, -1);
  tracemalloc_filter filter23[] = {
      tracemalloc_filter_make(1, "a.py", 2, 0, -1),
      tracemalloc_filter_make(1, "a.py", 5, 0, -1)};
  tracemalloc_snapshot *snapshot3 = filtered(snapshot, &filter1, 1);
  print_traces("exclude b.py", snapshot3);
  print_traces("original untouched", snapshot);
  tracemalloc_snapshot *snapshot4 = filtered(snapshot3, filter23, 2);
  print_traces("only include two lines of a.py", snapshot4);
  tracemalloc_snapshot *snapshot5 = filtered(snapshot, NULL, 0);
  printf("no filter: a new snapshot: %d\n", snapshot5 != snapshot);
  print_traces("no filter: the same traces", snapshot5);
  tracemalloc_snapshot_free(snapshot3);
  tracemalloc_snapshot_free(snapshot4);
  tracemalloc_snapshot_free(snapshot5);
}
// CHECK-NEXT: exclude b.py:
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (1, 2, (('a.py', 5), ('b.py', 4)), 3)
// CHECK-NEXT: (3, 7, (('<unknown>', 0),), 1)
// CHECK-NEXT: original untouched:
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (1, 2, (('a.py', 5), ('b.py', 4)), 3)
// CHECK-NEXT: (2, 66, (('b.py', 1),), 1)
// CHECK-NEXT: (3, 7, (('<unknown>', 0),), 1)
// CHECK-NEXT: only include two lines of a.py:
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (1, 2, (('a.py', 5), ('b.py', 4)), 3)
// CHECK-NEXT: no filter: a new snapshot: 1
// CHECK-NEXT: no filter: the same traces:
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (1, 2, (('a.py', 5), ('b.py', 4)), 3)
// CHECK-NEXT: (2, 66, (('b.py', 1),), 1)
// CHECK-NEXT: (3, 7, (('<unknown>', 0),), 1)

static void test_filter_traces_domain(const tracemalloc_snapshot *snapshot) {
  tracemalloc_filter filter1 = tracemalloc_filter_make(0, "a.py", -1, 0, 1);
  tracemalloc_filter filter2 = tracemalloc_filter_make(1, "a.py", -1, 0, 1);
  tracemalloc_snapshot *snapshot3 = filtered(snapshot, &filter1, 1);
  print_traces("exclude a.py of domain 1", snapshot3);
  tracemalloc_snapshot_free(snapshot3);
  /* The Python test applies filter1 twice; filter2 is what it means. */
  snapshot3 = filtered(snapshot, &filter2, 1);
  print_traces("include a.py of domain 1", snapshot3);
  tracemalloc_snapshot_free(snapshot3);
}
// CHECK-NEXT: exclude a.py of domain 1:
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (2, 66, (('b.py', 1),), 1)
// CHECK-NEXT: (3, 7, (('<unknown>', 0),), 1)
// CHECK-NEXT: include a.py of domain 1:
// CHECK-NEXT: (1, 2, (('a.py', 5), ('b.py', 4)), 3)

static void
test_filter_traces_domain_filter(const tracemalloc_snapshot *snapshot) {
  tracemalloc_filter filter1 = tracemalloc_domain_filter_make(0, 3);
  tracemalloc_filter filter2 = tracemalloc_domain_filter_make(1, 3);
  tracemalloc_snapshot *snapshot3 = filtered(snapshot, &filter1, 1);
  print_traces("exclude domain 3", snapshot3);
  tracemalloc_snapshot_free(snapshot3);
  snapshot3 = filtered(snapshot, &filter2, 1);
  print_traces("include domain 3", snapshot3);
  tracemalloc_snapshot_free(snapshot3);
}
// CHECK-NEXT: exclude domain 3:
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (0, 10, (('a.py', 2), ('b.py', 4)), 3)
// CHECK-NEXT: (1, 2, (('a.py', 5), ('b.py', 4)), 3)
// CHECK-NEXT: (2, 66, (('b.py', 1),), 1)
// CHECK-NEXT: include domain 3:
// CHECK-NEXT: (3, 7, (('<unknown>', 0),), 1)

static void test_group_by(const tracemalloc_snapshot *snapshot,
                          const tracemalloc_snapshot *snapshot2) {
  print_statistics("lineno", snapshot, TRACEMALLOC_KEY_LINENO, 0);
  print_statistics("lineno 2", snapshot2, TRACEMALLOC_KEY_LINENO, 0);
  print_diffs("lineno diff", snapshot2, snapshot, TRACEMALLOC_KEY_LINENO);
  print_statistics("filename", snapshot, TRACEMALLOC_KEY_FILENAME, 0);
  print_statistics("filename 2", snapshot2, TRACEMALLOC_KEY_FILENAME, 0);
  print_diffs("filename diff", snapshot2, snapshot, TRACEMALLOC_KEY_FILENAME);
  print_statistics("traceback", snapshot, TRACEMALLOC_KEY_TRACEBACK, 0);
  print_statistics("traceback 2", snapshot2, TRACEMALLOC_KEY_TRACEBACK, 0);
  print_diffs("traceback diff", snapshot2, snapshot, TRACEMALLOC_KEY_TRACEBACK);
  printf("traceback cumulative: %p %s\n",
         (void *)tracemalloc_snapshot_statistics(snapshot,
                                                 TRACEMALLOC_KEY_TRACEBACK, 1),
         tracemalloc_last_error());
  print_statistics("cumulative filename", snapshot, TRACEMALLOC_KEY_FILENAME,
                   1);
  print_statistics("cumulative lineno", snapshot, TRACEMALLOC_KEY_LINENO, 1);
}
// test_snapshot_group_by_line
// clang-format off
// CHECK-NEXT: lineno:
// CHECK-NEXT: Statistic(traceback(('b.py', 1)), 66, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 2)), 30, 3)
// CHECK-NEXT: Statistic(traceback(('<unknown>', 0)), 7, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 5)), 2, 1)
// CHECK-NEXT: lineno 2:
// CHECK-NEXT: Statistic(traceback(('a.py', 5)), 5002, 2)
// CHECK-NEXT: Statistic(traceback(('c.py', 578)), 400, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 2)), 30, 3)
// CHECK-NEXT: lineno diff:
// CHECK-NEXT: StatisticDiff(traceback(('a.py', 5)), 5002, 5000, 2, 1)
// CHECK-NEXT: StatisticDiff(traceback(('c.py', 578)), 400, 400, 1, 1)
// CHECK-NEXT: StatisticDiff(traceback(('b.py', 1)), 0, -66, 0, -1)
// CHECK-NEXT: StatisticDiff(traceback(('<unknown>', 0)), 0, -7, 0, -1)
// CHECK-NEXT: StatisticDiff(traceback(('a.py', 2)), 30, 0, 3, 0)
// test_snapshot_group_by_file
// CHECK-NEXT: filename:
// CHECK-NEXT: Statistic(traceback(('b.py', 0)), 66, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 0)), 32, 4)
// CHECK-NEXT: Statistic(traceback(('<unknown>', 0)), 7, 1)
// CHECK-NEXT: filename 2:
// CHECK-NEXT: Statistic(traceback(('a.py', 0)), 5032, 5)
// CHECK-NEXT: Statistic(traceback(('c.py', 0)), 400, 1)
// CHECK-NEXT: filename diff:
// CHECK-NEXT: StatisticDiff(traceback(('a.py', 0)), 5032, 5000, 5, 1)
// CHECK-NEXT: StatisticDiff(traceback(('c.py', 0)), 400, 400, 1, 1)
// CHECK-NEXT: StatisticDiff(traceback(('b.py', 0)), 0, -66, 0, -1)
// CHECK-NEXT: StatisticDiff(traceback(('<unknown>', 0)), 0, -7, 0, -1)
// test_snapshot_group_by_traceback
// CHECK-NEXT: traceback:
// CHECK-NEXT: Statistic(traceback(('b.py', 1)), 66, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 2), ('b.py', 4)), 30, 3)
// CHECK-NEXT: Statistic(traceback(('<unknown>', 0)), 7, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 5), ('b.py', 4)), 2, 1)
// CHECK-NEXT: traceback 2:
// CHECK-NEXT: Statistic(traceback(('a.py', 5), ('b.py', 4)), 5002, 2)
// CHECK-NEXT: Statistic(traceback(('c.py', 578)), 400, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 2), ('b.py', 4)), 30, 3)
// CHECK-NEXT: traceback diff:
// CHECK-NEXT: StatisticDiff(traceback(('a.py', 5), ('b.py', 4)), 5002, 5000, 2, 1)
// CHECK-NEXT: StatisticDiff(traceback(('c.py', 578)), 400, 400, 1, 1)
// CHECK-NEXT: StatisticDiff(traceback(('b.py', 1)), 0, -66, 0, -1)
// CHECK-NEXT: StatisticDiff(traceback(('<unknown>', 0)), 0, -7, 0, -1)
// CHECK-NEXT: StatisticDiff(traceback(('a.py', 2), ('b.py', 4)), 30, 0, 3, 0)
// CHECK-NEXT: traceback cumulative: (nil) cumulative mode cannot be used with key type 'traceback'
// test_snapshot_group_by_cumulative
// CHECK-NEXT: cumulative filename:
// CHECK-NEXT: Statistic(traceback(('b.py', 0)), 98, 5)
// CHECK-NEXT: Statistic(traceback(('a.py', 0)), 32, 4)
// CHECK-NEXT: Statistic(traceback(('<unknown>', 0)), 7, 1)
// CHECK-NEXT: cumulative lineno:
// CHECK-NEXT: Statistic(traceback(('b.py', 1)), 66, 1)
// CHECK-NEXT: Statistic(traceback(('b.py', 4)), 32, 4)
// CHECK-NEXT: Statistic(traceback(('a.py', 2)), 30, 3)
// CHECK-NEXT: Statistic(traceback(('<unknown>', 0)), 7, 1)
// CHECK-NEXT: Statistic(traceback(('a.py', 5)), 2, 1)
// clang-format on

static void print_format(const char *title,
                         const tracemalloc_traceback *traceback, int has_limit,
                         int limit, int most_recent_first) {
  size_t n;
  char **lines = tracemalloc_traceback_format(traceback, has_limit, limit,
                                              most_recent_first, &n);
  printf("%s: %zu lines\n", title, n);
  /* Brackets show the indentation. */
  for (size_t i = 0; lines[i]; i++)
    printf("[%s]\n", lines[i]);
  tracemalloc_lines_free(lines);
}

static void test_format(const tracemalloc_snapshot *snapshot,
                        const tracemalloc_snapshot *snapshot2) {
  char text[256];
  const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, 0);
  tracemalloc_trace_format(text, sizeof(text), trace);
  printf("str(trace): %s\n", text);
  tracemalloc_traceback_str(text, sizeof(text), trace->traceback);
  printf("str(traceback): %s\n", text);
  tracemalloc_frame_format(text, sizeof(text), trace->traceback->frames[0]);
  printf("str(frame): %s\n", text);

  tracemalloc_statistics *stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_LINENO, 0);
  tracemalloc_statistic_format(text, sizeof(text), &stats->items[0]);
  printf("str(stat): %s\n", text);
  tracemalloc_statistics_free(stats);

  tracemalloc_statistic_diffs *diffs = tracemalloc_snapshot_compare_to(
      snapshot2, snapshot, TRACEMALLOC_KEY_LINENO, 0);
  tracemalloc_statistic_diff_format(text, sizeof(text), &diffs->items[0]);
  printf("str(diff): %s\n", text);
  tracemalloc_statistic_diffs_free(diffs);

  /* test_format_traceback */
  const tracemalloc_traceback *tb = trace->traceback;
  print_format("format()", tb, 0, 0, 0);
  print_format("format(limit=1)", tb, 1, 1, 0);
  print_format("format(limit=-1)", tb, 1, -1, 0);
  print_format("format(most_recent_first=True)", tb, 0, 0, 1);
  print_format("format(limit=1, most_recent_first=True)", tb, 1, 1, 1);
  print_format("format(limit=-1, most_recent_first=True)", tb, 1, -1, 1);
  print_format("format(limit=0)", tb, 1, 0, 0);
}
// test_trace_format, test_statistic_format, test_statistic_diff_format
// clang-format off
// CHECK-NEXT: str(trace): b.py:4: 10 B
// CHECK-NEXT: str(traceback): b.py:4
// CHECK-NEXT: str(frame): b.py:4
// CHECK-NEXT: str(stat): b.py:1: size=66 B, count=1, average=66 B
// CHECK-NEXT: str(diff): a.py:5: size=5002 B (+5000 B), count=2 (+1), average=2501 B
// test_format_traceback
// CHECK-NEXT: format(): 4 lines
// CHECK-NEXT: [  File "b.py", line 4]
// CHECK-NEXT: [    <b.py, 4>]
// CHECK-NEXT: [  File "a.py", line 2]
// CHECK-NEXT: [    <a.py, 2>]
// CHECK-NEXT: format(limit=1): 2 lines
// CHECK-NEXT: [  File "a.py", line 2]
// CHECK-NEXT: [    <a.py, 2>]
// CHECK-NEXT: format(limit=-1): 2 lines
// CHECK-NEXT: [  File "b.py", line 4]
// CHECK-NEXT: [    <b.py, 4>]
// CHECK-NEXT: format(most_recent_first=True): 4 lines
// CHECK-NEXT: [  File "a.py", line 2]
// CHECK-NEXT: [    <a.py, 2>]
// CHECK-NEXT: [  File "b.py", line 4]
// CHECK-NEXT: [    <b.py, 4>]
// CHECK-NEXT: format(limit=1, most_recent_first=True): 2 lines
// CHECK-NEXT: [  File "a.py", line 2]
// CHECK-NEXT: [    <a.py, 2>]
// CHECK-NEXT: format(limit=-1, most_recent_first=True): 2 lines
// CHECK-NEXT: [  File "b.py", line 4]
// CHECK-NEXT: [    <b.py, 4>]
// CHECK-NEXT: format(limit=0): 0 lines
// clang-format on

static void test_filter_attributes(void) {
  tracemalloc_filter f = tracemalloc_filter_make(1, "abc", -1, 0, -1);
  printf("Filter(True, 'abc'): inclusive=%d pattern=%s lineno=%ld "
         "all_frames=%d domain=%ld domain_only=%d\n",
         f.inclusive, f.filename_pattern, f.lineno, f.all_frames, f.domain,
         f.domain_only);
  f = tracemalloc_filter_make(0, "test.py", 123, 1, -1);
  printf("Filter(False, 'test.py', 123, True): inclusive=%d pattern=%s "
         "lineno=%ld all_frames=%d\n",
         f.inclusive, f.filename_pattern, f.lineno, f.all_frames);
  f = tracemalloc_domain_filter_make(1, 7);
  printf("DomainFilter(True, 7): inclusive=%d domain=%ld domain_only=%d\n",
         f.inclusive, f.domain, f.domain_only);
}
// test_filter_attributes (None is -1)
// clang-format off
// CHECK-NEXT: Filter(True, 'abc'): inclusive=1 pattern=abc lineno=-1 all_frames=0 domain=-1 domain_only=0
// CHECK-NEXT: Filter(False, 'test.py', 123, True): inclusive=0 pattern=test.py lineno=123 all_frames=1
// CHECK-NEXT: DomainFilter(True, 7): inclusive=1 domain=7 domain_only=1
// CHECK-NOT: {{.}}
// clang-format on

int main(void) {
  test_create_snapshot();
  tracemalloc_snapshot *snapshot =
      make_snapshot(raw_traces, COUNT(raw_traces), 2);
  tracemalloc_snapshot *snapshot2 =
      make_snapshot(raw_traces2, COUNT(raw_traces2), 2);
  test_filter_traces(snapshot);
  test_filter_traces_domain(snapshot);
  test_filter_traces_domain_filter(snapshot);
  test_group_by(snapshot, snapshot2);
  test_format(snapshot, snapshot2);
  test_filter_attributes();
  tracemalloc_snapshot_free(snapshot);
  tracemalloc_snapshot_free(snapshot2);
  return 0;
}
