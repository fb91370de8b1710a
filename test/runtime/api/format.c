// str(StatisticDiff), str(Trace) and str(Traceback) against Python over every
// unit boundary of _format_size() with both signs, counts with and without an
// average, random values up to 2**62; and the snprintf contract of the new
// formatters (the full length, what fits, always terminated).
//
// clang-format off
// RUN: %clang -std=c11 -Wall -Wextra -Werror -I%include %s %libdir/libtm_core.a -lpthread -o %t
// RUN: %python %S/Inputs/api_format.py input > %t.input
// RUN: %python %S/Inputs/api_format.py expected > %t.expected
// RUN: %t < %t.input > %t.out
// RUN: diff %t.expected %t.out
// RUN: FileCheck %s < %t.out
// RUN: %t small | FileCheck --check-prefix=SMALL --match-full-lines %s
//
// No average without a count:
// CHECK: {{^}}f.c:1: size=0 B (+0 B), count=0 (-1099511627776){{$}}
// CHECK: {{^}}f.c:1: 10.0 KiB{{$}}
// CHECK: {{^}}f.c:1: size=10.0 KiB (-10.0 KiB), count=1000 (-1), average=10 B{{$}}
// CHECK: {{^}}f.c:1: size=10.0 TiB (-1 B), count=1000 (-1), average=10.2 GiB{{$}}
//
// "f.c:1: size=1024 KiB (+1024 KiB), count=10 (+10), average=102 KiB" is 65
// bytes; str(traceback) is the oldest frame.
// SMALL:      diff: 65 [f.c:1: size=1] 65
// SMALL-NEXT: trace: 13 [f.c:1:] 13
// SMALL-NEXT: traceback: 7 [old.c:1] [] 7
// SMALL-NEXT: nothing written: 1
// clang-format on
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tracemalloc.h>

static const tracemalloc_frame frame = {"f.c", 1, "f"};
static const tracemalloc_frame *const frames[] = {&frame};
static const tracemalloc_traceback traceback = {frames, 1, 1};

static void print_small_buffers(void) {
  tracemalloc_statistic_diff diff = {&traceback, 1 << 20, 1 << 20, 10, 10};
  tracemalloc_trace trace = {0, 1024, &traceback};
  static const tracemalloc_frame old = {"old.c", 1, ""};
  static const tracemalloc_frame new = {"new.c", 2, ""};
  const tracemalloc_frame *two[] = {&old, &new};
  tracemalloc_traceback oldest_first = {two, 2, 2};
  char text[14], small[7], none[1] = {'x'}, full[64];
  int length = tracemalloc_statistic_diff_format(text, sizeof(text), &diff);
  printf("diff: %d [%s] %d\n", length, text,
         tracemalloc_statistic_diff_format(full, sizeof(full), &diff));
  length = tracemalloc_trace_format(small, sizeof(small), &trace);
  printf("trace: %d [%s] %d\n", length, small,
         tracemalloc_trace_format(full, sizeof(full), &trace));
  length = tracemalloc_traceback_str(full, sizeof(full), &oldest_first);
  int one = tracemalloc_traceback_str(none, 1, &oldest_first);
  printf("traceback: %d [%s] [%s] %d\n", length, full, none, one);
  none[0] = 'x';
  tracemalloc_traceback_str(none, 0, &oldest_first);
  printf("nothing written: %d\n", none[0] == 'x');
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "small") == 0) {
    print_small_buffers();
    return 0;
  }
  char request[256], text[256];
  while (fgets(request, sizeof(request), stdin)) {
    unsigned long long size, count;
    long long size_diff, count_diff;
    if (sscanf(request, "diff %llu %lld %llu %lld", &size, &size_diff, &count,
               &count_diff) == 4) {
      tracemalloc_statistic_diff diff = {&traceback, size, size_diff, count,
                                         count_diff};
      tracemalloc_statistic_diff_format(text, sizeof(text), &diff);
    } else if (sscanf(request, "trace %llu", &size) == 1) {
      tracemalloc_trace trace = {0, size, &traceback};
      tracemalloc_trace_format(text, sizeof(text), &trace);
    } else {
      continue;
    }
    puts(text);
  }
  return 0;
}
