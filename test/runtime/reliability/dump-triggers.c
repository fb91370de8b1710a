// Snapshots of a running program: on a signal, every N bytes of growth, and
// at exit; "%p" puts the process id in the name.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 %s -o %t/prog
//
// On SIGUSR1: out.1.tms holds what was allocated before the signal.
// RUN: cd %t && env TRACEMALLOC_DUMP=out.tms TRACEMALLOC_DUMP_SIGNAL=USR1 ./prog signal
// RUN: %tracemalloc top %t/out.1.tms | FileCheck --check-prefix=SIGNAL1 %s
// RUN: %tracemalloc top %t/out.tms | FileCheck --check-prefix=EXIT %s
// SIGNAL1:      [ Top 10 ]
// SIGNAL1-NEXT: dump-triggers.c:53: size=1000 B, count=1, average=1000 B
// SIGNAL1-NOT:  {{.}}
// EXIT:      [ Top 10 ]
// EXIT-NEXT: dump-triggers.c:57: size=2000 B, count=1, average=2000 B
// EXIT-NEXT: dump-triggers.c:53: size=1000 B, count=1, average=1000 B
//
// Every 64 KiB: the seventh block of 10000 bytes crosses 65536.
// RUN: cd %t && env TRACEMALLOC_DUMP=grow-%%n.tms TRACEMALLOC_DUMP_EVERY=64K ./prog grow
// RUN: %tracemalloc top %t/grow-1.tms | FileCheck --check-prefix=GROW %s
// RUN: test -f %t/grow-exit.tms
// GROW:      [ Top 10 ]
// GROW-NEXT: dump-triggers.c:60: size=68.4 KiB, count=7, average=10000 B
//
// RUN: cd %t && env TRACEMALLOC_DUMP=%t/pid-%%p.tms ./prog pid > %t/pid.txt
// RUN: test -f %t/pid-$(cat %t/pid.txt).tms
//
// Bad values are reported and ignored; the program runs as usual.
// RUN: cd %t && env TRACEMALLOC_DUMP=bad.tms TRACEMALLOC_DUMP_SIGNAL=NOPE TRACEMALLOC_DUMP_EVERY=lots ./prog none 2>&1 | FileCheck --check-prefix=BAD %s
// BAD: tracemalloc: TRACEMALLOC_DUMP_SIGNAL=NOPE: expected a signal number or name (USR1, USR2, HUP, ...); ignored
// BAD: tracemalloc: TRACEMALLOC_DUMP_EVERY=lots: expected a size in bytes (4096, 64K, 100M, 2G); ignored
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile keep[16];

static void wait_for(const char *path) {
  for (int i = 0; i < 1000; i++) {
    if (access(path, F_OK) == 0)
      return;
    usleep(10000);
  }
  fprintf(stderr, "%s did not appear\n", path);
  exit(1);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "none";
  if (strcmp(mode, "signal") == 0) {
    keep[0] = malloc(1000);
    raise(SIGUSR1);
    wait_for("out.1.tms");
    // Allocated after the dump: only in the one at exit.
    keep[1] = malloc(2000);
  } else if (strcmp(mode, "grow") == 0) {
    for (int i = 0; i < 7; i++)
      keep[i] = malloc(10000);
    wait_for("grow-1.tms");
  } else if (strcmp(mode, "pid") == 0) {
    printf("%ld\n", (long)getpid());
  }
  return 0;
}
