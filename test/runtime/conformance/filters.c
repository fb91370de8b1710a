// CPython's Lib/test/test_tracemalloc.py, TestFilters, in C: test_filter_match,
// test_filter_match_filename, test_filter_match_filename_joker (POSIX
// branch: case-sensitive, no alternate separator) and
// test_filter_match_trace, with the same values. Filter._match_frame() and
// _match_traceback() are observed through tracemalloc_snapshot_filter_traces()
// with the filter alone on a one-trace snapshot: the trace is kept exactly
// when _match() is true, inclusive or not.
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common -I%srcroot/runtime/snapshot %s %libdir/libtm_core.a -lpthread -o %t
// RUN: %t | FileCheck --match-full-lines %s
// clang-format on
#include "snapshot.h"

#include <stdio.h>

/* Frames most recent first, as Python's raw tracebacks. */
typedef struct raw_frame {
  const char *filename;
  unsigned int lineno;
} raw_frame;

static int match(tracemalloc_filter filter, const raw_frame *raw,
                 unsigned int nframe) {
  tm_snapshot_builder *builder = tm_builder_new(1, 0);
  const tracemalloc_frame *frames[8];
  for (unsigned int i = 0; i < nframe; i++)
    frames[i] = tm_builder_frame(builder, raw[nframe - 1 - i].filename,
                                 raw[nframe - 1 - i].lineno, "");
  tm_builder_add_trace(builder, 0, 1,
                       tm_builder_traceback(builder, frames, nframe, nframe));
  tracemalloc_snapshot *snapshot = tm_builder_finish(builder);
  tracemalloc_snapshot *kept =
      tracemalloc_snapshot_filter_traces(snapshot, &filter, 1);
  int result = (int)tracemalloc_snapshot_trace_count(kept);
  tracemalloc_snapshot_free(kept);
  tracemalloc_snapshot_free(snapshot);
  return result;
}

/* f._match_frame(filename, lineno) */
static int match_frame(tracemalloc_filter filter, const char *filename,
                       unsigned int lineno) {
  raw_frame frame = {filename, lineno};
  return match(filter, &frame, 1);
}

/* The six _match_frame() results the test checks for each filter. */
static void test_filter_match_one(const char *title, int inclusive,
                                  long lineno) {
  tracemalloc_filter f =
      tracemalloc_filter_make(inclusive, "abc", lineno, 0, -1);
  printf("%s: abc %d%d%d 12356 %d%d%d\n", title, match_frame(f, "abc", 0),
         match_frame(f, "abc", 5), match_frame(f, "abc", 10),
         match_frame(f, "12356", 0), match_frame(f, "12356", 5),
         match_frame(f, "12356", 10));
}

static void test_filter_match(void) {
  test_filter_match_one("Filter(True, 'abc')", 1, -1);
  test_filter_match_one("Filter(False, 'abc')", 0, -1);
  test_filter_match_one("Filter(True, 'abc', 5)", 1, 5);
  test_filter_match_one("Filter(False, 'abc', 5)", 0, 5);
  test_filter_match_one("Filter(True, 'abc', 0)", 1, 0);
  test_filter_match_one("Filter(False, 'abc', 0)", 0, 0);
}
// CHECK:      Filter(True, 'abc'): abc 111 12356 000
// CHECK-NEXT: Filter(False, 'abc'): abc 000 12356 111
// CHECK-NEXT: Filter(True, 'abc', 5): abc 010 12356 000
// CHECK-NEXT: Filter(False, 'abc', 5): abc 101 12356 111
// CHECK-NEXT: Filter(True, 'abc', 0): abc 100 12356 000
// CHECK-NEXT: Filter(False, 'abc', 0): abc 011 12356 111

static int fnmatch_filter(int inclusive, const char *filename,
                          const char *pattern) {
  return match_frame(tracemalloc_filter_make(inclusive, pattern, -1, 0, -1),
                     filename, 0);
}

static void test_filter_match_filename(void) {
  printf("test_filter_match_filename: %d%d%d %d%d%d\n",
         fnmatch_filter(1, "abc", "abc"), fnmatch_filter(1, "12356", "abc"),
         fnmatch_filter(1, "<unknown>", "abc"), fnmatch_filter(0, "abc", "abc"),
         fnmatch_filter(0, "12356", "abc"),
         fnmatch_filter(0, "<unknown>", "abc"));
}
// CHECK-NEXT: test_filter_match_filename: 100 011

static const struct {
  const char *filename, *pattern;
  int expected;
} jokers[] = {
    /* empty string */
    {"abc", "", 0},
    {"", "abc", 0},
    {"", "", 1},
    {"", "*", 1},
    /* no * */
    {"abc", "abc", 1},
    {"abc", "abcd", 0},
    {"abc", "def", 0},
    /* a* */
    {"abc", "a*", 1},
    {"abc", "abc*", 1},
    {"abc", "b*", 0},
    {"abc", "abcd*", 0},
    /* a*b */
    {"abc", "a*c", 1},
    {"abcdcx", "a*cx", 1},
    {"abb", "a*c", 0},
    {"abcdce", "a*cx", 0},
    /* a*b*c */
    {"abcde", "a*c*e", 1},
    {"abcbdefeg", "a*bd*eg", 1},
    {"abcdd", "a*c*e", 0},
    {"abcbdefef", "a*bd*eg", 0},
    /* replace .pyc suffix with .py */
    {"a.pyc", "a.py", 1},
    {"a.py", "a.pyc", 1},
    /* case sensitive */
    {"aBC", "ABc", 0},
    {"aBcDe", "Ab*dE", 0},
    {"a.pyc", "a.PY", 0},
    {"a.py", "a.PYC", 0},
    /* there is no alternate separator */
    {"a/b", "a\\b", 0},
    {"a\\b", "a/b", 0},
    {"a/b\\c", "a\\b/c", 0},
    {"a/b/c", "a\\b\\c", 0},
    /* as of 3.5, .pyo is no longer munged to .py */
    {"a.pyo", "a.py", 0},
};

static void test_filter_match_filename_joker(void) {
  int failures = 0;
  for (size_t i = 0; i < sizeof(jokers) / sizeof(jokers[0]); i++) {
    int got = fnmatch_filter(1, jokers[i].filename, jokers[i].pattern);
    if (got != jokers[i].expected) {
      printf("fnmatch('%s', '%s') = %d\n", jokers[i].filename,
             jokers[i].pattern, got);
      failures++;
    }
  }
  printf("test_filter_match_filename_joker: %zu cases, %d failures\n",
         sizeof(jokers) / sizeof(jokers[0]), failures);
}
// CHECK-NEXT: test_filter_match_filename_joker: 30 cases, 0 failures

static const raw_frame t1[] = {{"a.py", 2}, {"b.py", 3}};
static const raw_frame t2[] = {{"b.py", 4}, {"b.py", 5}};
static const raw_frame t3[] = {{"c.py", 5}, {"<unknown>", 0}};
static const raw_frame unknown[] = {{"<unknown>", 0}};

static void test_match_trace_one(int inclusive, const char *pattern,
                                 int all_frames) {
  tracemalloc_filter f =
      tracemalloc_filter_make(inclusive, pattern, -1, all_frames, -1);
  printf("Filter(%s, '%s', all_frames=%s): %d%d%d%d\n",
         inclusive ? "True" : "False", pattern, all_frames ? "True" : "False",
         match(f, t1, 2), match(f, t2, 2), match(f, t3, 2),
         match(f, unknown, 1));
}

static void test_filter_match_trace(void) {
  test_match_trace_one(1, "b.py", 1);
  test_match_trace_one(1, "b.py", 0);
  test_match_trace_one(0, "b.py", 1);
  test_match_trace_one(0, "b.py", 0);
  test_match_trace_one(0, "<unknown>", 0);
  test_match_trace_one(1, "<unknown>", 1);
  test_match_trace_one(0, "<unknown>", 1);
}
// CHECK-NEXT: Filter(True, 'b.py', all_frames=True): 1100
// CHECK-NEXT: Filter(True, 'b.py', all_frames=False): 0100
// CHECK-NEXT: Filter(False, 'b.py', all_frames=True): 0011
// CHECK-NEXT: Filter(False, 'b.py', all_frames=False): 1011
// CHECK-NEXT: Filter(False, '<unknown>', all_frames=False): 1110
// CHECK-NEXT: Filter(True, '<unknown>', all_frames=True): 0011
// CHECK-NEXT: Filter(False, '<unknown>', all_frames=True): 1100

/* Filter._match() with a domain, docs/python-semantics.md "Filters": an
 * inclusive filter also requires the domain, an exclusive one excludes only
 * that domain. And DomainFilter. Traces of domain 0 and 1 at a.py. */
static void test_filter_domain(void) {
  tm_snapshot_builder *builder = tm_builder_new(1, 0);
  const tracemalloc_frame *a = tm_builder_frame(builder, "a.py", 1, "");
  const tracemalloc_frame *b = tm_builder_frame(builder, "b.py", 1, "");
  tm_builder_add_trace(builder, 0, 1, tm_builder_traceback(builder, &a, 1, 1));
  tm_builder_add_trace(builder, 1, 2, tm_builder_traceback(builder, &a, 1, 1));
  tm_builder_add_trace(builder, 0, 3, tm_builder_traceback(builder, &b, 1, 1));
  tm_builder_add_trace(builder, 1, 4, tm_builder_traceback(builder, &b, 1, 1));
  tracemalloc_snapshot *snapshot = tm_builder_finish(builder);
  const struct {
    const char *title;
    tracemalloc_filter filter;
  } cases[] = {
      {"Filter(True, 'a.py', domain=1)",
       tracemalloc_filter_make(1, "a.py", -1, 0, 1)},
      {"Filter(False, 'a.py', domain=1)",
       tracemalloc_filter_make(0, "a.py", -1, 0, 1)},
      {"DomainFilter(True, 1)", tracemalloc_domain_filter_make(1, 1)},
      {"DomainFilter(False, 1)", tracemalloc_domain_filter_make(0, 1)},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    tracemalloc_snapshot *kept =
        tracemalloc_snapshot_filter_traces(snapshot, &cases[i].filter, 1);
    printf("%s: sizes", cases[i].title);
    for (size_t j = 0; j < tracemalloc_snapshot_trace_count(kept); j++)
      printf(" %zu", tracemalloc_snapshot_trace(kept, j)->size);
    printf("\n");
    tracemalloc_snapshot_free(kept);
  }
  tracemalloc_snapshot_free(snapshot);
}
// CHECK-NEXT: Filter(True, 'a.py', domain=1): sizes 2
// CHECK-NEXT: Filter(False, 'a.py', domain=1): sizes 1 3 4
// CHECK-NEXT: DomainFilter(True, 1): sizes 2 4
// CHECK-NEXT: DomainFilter(False, 1): sizes 1 3

int main(void) {
  test_filter_match();
  test_filter_match_filename();
  test_filter_match_filename_joker();
  test_filter_match_trace();
  test_filter_domain();
  return 0;
}
