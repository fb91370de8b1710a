// Every C allocation function, compiled with tmcc at -O0 and -O2, traced from
// the environment and reported by the CLI: exact sizes, counts and lines.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t.O0.tms %t.O0 | FileCheck --check-prefix=OUT %s
// RUN: %tracemalloc top --limit 20 %t.O0.tms | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// At -O2, LLVM assumes calloc leaves errno alone and folds the errno test
// (without TraceMalloc too): the output is compared with the plain build's.
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t.O2.tms %t.O2 > %t.O2.out
// RUN: %tracemalloc top --limit 20 %t.O2.tms | FileCheck %s
//
// RUN: %clang -O2 %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.O2.out
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *volatile keep[64];

int main(void) {
  for (int i = 0; i < 10; i++)
    keep[i] = malloc(4096);
  keep[10] = calloc(100, 30);

  char *grown = malloc(100);
  keep[11] = grown = realloc(grown, 20000);
  char *shrunk = malloc(5000);
  keep[12] = shrunk = realloc(shrunk, 50);

  // A failing realloc leaves the block, and its trace, as they were.
  char *kept = malloc(3333);
  keep[13] = kept;
  errno = 0;
  char *failed = realloc(kept, SIZE_MAX - 4096);
  printf("realloc failure: %s errno=%s\n", failed ? "non-null" : "null",
         errno == ENOMEM ? "ENOMEM" : "other");
  // OUT: realloc failure: null errno=ENOMEM

  // calloc overflow: NULL with ENOMEM, nothing recorded.
  errno = 0;
  void *overflow = keep[23] = calloc(SIZE_MAX / 2, 4);
  printf("calloc overflow: %s errno=%s\n", overflow ? "non-null" : "null",
         errno == ENOMEM ? "ENOMEM" : "other");
  // OUT: calloc overflow: null errno=ENOMEM

  keep[14] = reallocarray(NULL, 7, 11);
  keep[15] = aligned_alloc(64, 640);
  void *pm;
  if (posix_memalign(&pm, 32, 320) == 0)
    keep[16] = pm;
  keep[17] = memalign(128, 1280);
  keep[18] = strdup("twelve chars");
  keep[19] = strndup("0123456789", 4);
  keep[20] = valloc(4321);

  void *freed = malloc(777);
  keep[21] = freed;
  free(keep[21]);
  free(NULL);
  // realloc(p, 0) frees p: no trace is left behind.
  char *zero = malloc(999);
  keep[22] = zero;
  keep[22] = realloc(keep[22], 0);
  return 0;
}

// CHECK: [ Top 20 ]
// CHECK-NEXT: {{^/.*}}/malloc-family.c:27: size=40.0 KiB, count=10, average=4096 B
// CHECK-NEXT: malloc-family.c:31: size=19.5 KiB, count=1, average=19.5 KiB
// CHECK-NEXT: malloc-family.c:59: size=4321 B, count=1, average=4321 B
// CHECK-NEXT: malloc-family.c:36: size=3333 B, count=1, average=3333 B
// CHECK-NEXT: malloc-family.c:28: size=3000 B, count=1, average=3000 B
// CHECK-NEXT: malloc-family.c:56: size=1280 B, count=1, average=1280 B
// CHECK-NEXT: malloc-family.c:52: size=640 B, count=1, average=640 B
// CHECK-NEXT: malloc-family.c:54: size=320 B, count=1, average=320 B
// CHECK-NEXT: malloc-family.c:51: size=77 B, count=1, average=77 B
// CHECK-NEXT: malloc-family.c:33: size=50 B, count=1, average=50 B
// CHECK-NEXT: malloc-family.c:57: size=13 B, count=1, average=13 B
// CHECK-NEXT: malloc-family.c:58: size=5 B, count=1, average=5 B
// CHECK-NOT: {{.}}
