// Dump files that are not regular files are written in place, never
// replaced: a FIFO is written to its reader, a character device (a twin of
// /dev/null made with mknod) stays a device, and a symbolic link to a FIFO
// or a device is followed. A link to a regular file is refused (see
// dump-files.c). The same for `tracemalloc export -o`.
//
// REQUIRES: root
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 %s -o %t/prog
//
// A FIFO: the reader gets the whole snapshot, the FIFO stays a FIFO.
// RUN: mkfifo %t/fifo
// RUN: cat %t/fifo > %t/from-fifo.tms & env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/fifo %t/prog; wait
// RUN: test -p %t/fifo
// RUN: %tracemalloc top %t/from-fifo.tms | FileCheck --check-prefix=TOP %s
//
// A character device: written (and discarded), still a device.
// RUN: mknod %t/null c 1 3
// RUN: env TRACEMALLOC=1 TRACEMALLOC_DUMP=%t/null %t/prog 2>&1 | count 0
// RUN: test -c %t/null
//
// Symbolic links to both are followed, and stay links.
// RUN: ln -s null %t/link-to-null && ln -s fifo %t/link-to-fifo
// RUN: env TRACEMALLOC=1 TRACEMALLOC_DUMP=%t/link-to-null %t/prog 2>&1 | count 0
// RUN: test -L %t/link-to-null && test -c %t/null
// RUN: cat %t/fifo > %t/from-link.tms & env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/link-to-fifo %t/prog; wait
// RUN: test -L %t/link-to-fifo && test -p %t/fifo
// RUN: %tracemalloc top %t/from-link.tms | FileCheck --check-prefix=TOP %s
//
// Nothing else was left in the directory (no temporary file).
// RUN: ls -A %t | FileCheck --check-prefix=LEFT %s
#include <stdlib.h>

void *volatile sink;

int main(void) {
  sink = malloc(3000); // line 37
  return 0;
}

// TOP: [ Top 10 ]
// TOP-NEXT: {{.*}}/dump-special-files.c:37: size=3000 B, count=1, average=3000 B
// LEFT:      fifo
// LEFT-NEXT: from-fifo.tms
// LEFT-NEXT: from-link.tms
// LEFT-NEXT: link-to-fifo
// LEFT-NEXT: link-to-null
// LEFT-NEXT: null
// LEFT-NEXT: prog
// LEFT-NOT: {{.}}
