// tracemalloc_format_size(), tracemalloc_statistic_format() and
// tracemalloc_frame_format() against Python's _format_size() and
// str(Statistic), over every unit boundary, negative sizes, exact halves and
// averages of numbers above 2**53 (which Python divides exactly).
//
// clang-format off
// RUN: %clang -std=c11 -Wall -Wextra -Werror -I%include %s %libdir/libtm_core.a -lpthread -o %t
// RUN: %python %S/Inputs/format_oracle.py input > %t.input
// RUN: %python %S/Inputs/format_oracle.py expected > %t.expected
// RUN: %t < %t.input > %t.out
// RUN: diff %t.expected %t.out
// RUN: FileCheck %s < %t.out
// RUN: %t small | FileCheck --check-prefix=SMALL %s
//
// The examples of docs/python-semantics.md, "Sizes: _format_size":
// CHECK: {{^}}0|0 B|+0 B{{$}}
// CHECK: {{^}}10239|10239 B|+10239 B{{$}}
// CHECK: {{^}}10240|10.0 KiB|+10.0 KiB{{$}}
// CHECK: {{^}}102399|100.0 KiB|+100.0 KiB{{$}}
// CHECK: {{^}}102400|100 KiB|+100 KiB{{$}}
// CHECK: {{^}}10485759|10240 KiB|+10240 KiB{{$}}
// CHECK: {{^}}-10240|-10.0 KiB|-10.0 KiB{{$}}
// CHECK: {{^}}f.c:1: size=0 B, count=0{{$}}
// CHECK: {{^}}f.c:1: size=10 B, count=3, average=3 B{{$}}
// CHECK: {{^}}f.c:1: size=10.0 KiB, count=3, average=3413 B{{$}}
//
// snprintf semantics: the full length, whatever fits, always terminated.
// SMALL: small: 8 [10.0 K] [] [f.c:123] 7
// clang-format on
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tracemalloc.h>

static const tracemalloc_frame frame = {"f.c", 1, "f"};
static const tracemalloc_frame *const frames[] = {&frame};
static const tracemalloc_traceback traceback = {frames, 1, 1};

static void print_size(long long size) {
  char plain[64], sign[64];
  tracemalloc_format_size(plain, sizeof(plain), size, 0);
  tracemalloc_format_size(sign, sizeof(sign), size, 1);
  printf("%lld|%s|%s\n", size, plain, sign);
}

static void print_statistic(unsigned long long size, unsigned long long count) {
  tracemalloc_statistic statistic = {&traceback, size, count};
  char text[256];
  tracemalloc_statistic_format(text, sizeof(text), &statistic);
  puts(text);
}

static void print_small_buffers(void) {
  char small[7] = "xxxxxx";
  char none[1] = {'x'};
  char line[32];
  tracemalloc_frame long_line = {"f.c", 123, ""};
  int full = tracemalloc_format_size(small, sizeof(small), 10240, 0);
  tracemalloc_format_size(none, 0, 10240, 0); /* must not write */
  int length = tracemalloc_frame_format(line, sizeof(line), &long_line);
  printf("small: %d [%s] [%s] [%s] %d\n", full, small,
         none[0] == 'x' ? "" : "written", line, length);
}

int main(int argc, char **argv) {
  char request[64];
  if (argc > 1 && strcmp(argv[1], "small") == 0) {
    print_small_buffers();
    return 0;
  }
  while (fgets(request, sizeof(request), stdin)) {
    long long size;
    unsigned long long total, count;
    if (sscanf(request, "size %lld", &size) == 1)
      print_size(size);
    else if (sscanf(request, "stat %llu %llu", &total, &count) == 2)
      print_statistic(total, count);
  }
  return 0;
}
