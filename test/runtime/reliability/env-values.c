// Bad values of the runtime's environment variables (runtime/tracer/
// env_vars.def), and options that have nothing to act on: each is reported
// in one line on stderr, naming the variable and what it accepts (or what
// it needs), and ignored -- the default is used, and the program's own
// output is what it is without the variable.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: %t/prog > %t/plain 2> %t/plain.err
// RUN: count 0 < %t/plain.err
// RUN: FileCheck --check-prefix=PLAIN --match-full-lines %s < %t/plain
// PLAIN: hello: tracing=0 frames=0 libc-block-traced=0
//
// Good values say nothing.
// RUN: env TRACEMALLOC=5 TRACEMALLOC_LEAKS=0 TRACEMALLOC_UNINSTRUMENTED=1 %t/prog > %t/good 2> %t/good.err
// RUN: count 0 < %t/good.err
//
// TRACEMALLOC: digits only, 0 to 65535.
// RUN: env TRACEMALLOC=abc %t/prog 2> %t/abc.err | diff %t/plain -
// RUN: env "TRACEMALLOC= 5" %t/prog 2> %t/space.err | diff %t/plain -
// RUN: env TRACEMALLOC=+5 %t/prog 2> %t/plus.err | diff %t/plain -
// RUN: env TRACEMALLOC=65536 %t/prog 2> %t/big.err | diff %t/plain -
// RUN: cat %t/abc.err %t/space.err %t/plus.err %t/big.err | FileCheck --check-prefix=FRAMES --match-full-lines %s
// FRAMES: tracemalloc: TRACEMALLOC=abc: expected a number of frames, 0 to 65535; ignored
// FRAMES-NEXT: tracemalloc: TRACEMALLOC= 5: expected a number of frames, 0 to 65535; ignored
// FRAMES-NEXT: tracemalloc: TRACEMALLOC=+5: expected a number of frames, 0 to 65535; ignored
// FRAMES-NEXT: tracemalloc: TRACEMALLOC=65536: expected a number of frames, 0 to 65535; ignored
// FRAMES-NOT: {{.}}
//
// TRACEMALLOC_LEAKS=abc does not turn the leak report on.
// RUN: env TRACEMALLOC_LEAKS=abc %t/prog 2> %t/leaks.err | diff %t/plain -
// RUN: FileCheck --check-prefix=LEAKS --match-full-lines %s < %t/leaks.err
// LEAKS:     tracemalloc: TRACEMALLOC_LEAKS=abc: expected 0 or 1; ignored
// LEAKS-NOT: {{.}}
//
// TRACEMALLOC_UNINSTRUMENTED=no is not "off": the default (on) is used.
// RUN: env TRACEMALLOC=1 %t/prog > %t/on 2> %t/on.err
// RUN: FileCheck --check-prefix=ON --match-full-lines %s < %t/on
// ON: hello: tracing=1 frames=1 libc-block-traced=1
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=no %t/prog 2> %t/uninstrumented.err | diff %t/on -
// RUN: FileCheck --check-prefix=UNINSTRUMENTED --match-full-lines %s < %t/uninstrumented.err
// UNINSTRUMENTED:     tracemalloc: TRACEMALLOC_UNINSTRUMENTED=no: expected 0 or 1; ignored
// UNINSTRUMENTED-NOT: {{.}}
//
// A dump or a leak report needs tracing: not with TRACEMALLOC=0.
// RUN: cd %t && env TRACEMALLOC=0 TRACEMALLOC_DUMP=zero.tms ./prog 2> %t/zero.err | diff %t/plain -
// RUN: not test -e %t/zero.tms
// RUN: env TRACEMALLOC=0 TRACEMALLOC_LEAKS=1 %t/prog 2>> %t/zero.err | diff %t/plain -
// RUN: FileCheck --check-prefix=ZERO --match-full-lines %s < %t/zero.err
// ZERO:      tracemalloc: TRACEMALLOC_DUMP=zero.tms: needs tracing (TRACEMALLOC=0); ignored
// ZERO-NEXT: tracemalloc: TRACEMALLOC_LEAKS=1: needs tracing (TRACEMALLOC=0); ignored
// ZERO-NOT:  {{.}}
//
// The dump triggers need TRACEMALLOC_DUMP; a dump size is at least 1 byte.
// RUN: env TRACEMALLOC_DUMP_SIGNAL=USR1 TRACEMALLOC_DUMP_EVERY=64K %t/prog 2> %t/triggers.err | diff %t/plain -
// RUN: cd %t && env TRACEMALLOC_DUMP=dump.tms %t/prog > %t/dumping
// RUN: cd %t && env TRACEMALLOC_DUMP=every.tms TRACEMALLOC_DUMP_EVERY=0 %t/prog 2>> %t/triggers.err | diff %t/dumping -
// RUN: test -f %t/every.tms
// RUN: FileCheck --check-prefix=TRIGGERS --match-full-lines %s < %t/triggers.err
// TRIGGERS:      tracemalloc: TRACEMALLOC_DUMP_SIGNAL=USR1: needs TRACEMALLOC_DUMP; ignored
// TRIGGERS-NEXT: tracemalloc: TRACEMALLOC_DUMP_EVERY=64K: needs TRACEMALLOC_DUMP; ignored
// TRIGGERS-NEXT: tracemalloc: TRACEMALLOC_DUMP_EVERY=0: expected a size in bytes (4096, 64K, 100M, 2G); ignored
// TRIGGERS-NOT:  {{.}}
//
// A bad TRACEMALLOC is as if unset: TRACEMALLOC_DUMP then traces 1 frame.
// RUN: cd %t && env TRACEMALLOC=x TRACEMALLOC_DUMP=default.tms %t/prog 2> %t/default.err | diff %t/dumping -
// RUN: test -f %t/default.tms
// RUN: FileCheck --check-prefix=DEFAULT --match-full-lines %s < %t/default.err
// DEFAULT:     tracemalloc: TRACEMALLOC=x: expected a number of frames, 0 to 65535; ignored
// DEFAULT-NOT: {{.}}
//
// A dump file name too long once made absolute.
// RUN: env TRACEMALLOC_DUMP=%t/$(%python -c "print('x' * 5000)") %t/prog 2> %t/long.err | diff %t/plain -
// RUN: FileCheck --check-prefix=LONG --match-full-lines %s < %t/long.err
// LONG:     tracemalloc: TRACEMALLOC_DUMP={{.*}}/xxxxxxxx{{x+}}: expected a file name of at most 4095 bytes once made absolute; ignored
// LONG-NOT: {{.}}
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

int main(void) {
  char *word = strdup("hello");
  // fopen's FILE is allocated by the C library: traced only when
  // uninstrumented allocations are recorded.
  FILE *file = fopen("/dev/null", "r");
  tracemalloc_traceback *traceback = tracemalloc_get_object_traceback(file);
  int tracing = tracemalloc_is_tracing();
  printf("%s: tracing=%d frames=%u libc-block-traced=%d\n", word, tracing,
         tracing ? tracemalloc_get_traceback_limit() : 0, traceback != NULL);
  tracemalloc_traceback_free(traceback);
  fclose(file);
  free(word);
  return 0;
}
