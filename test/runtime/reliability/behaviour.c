// The edge cases of the C allocation functions behave exactly as without
// TraceMalloc: the same results and the same errno, for malloc(0), calloc
// and reallocarray overflows, posix_memalign with a bad alignment,
// realloc(p, 0), aligned_alloc with odd sizes and alignments, and sizes no
// allocator can give. The output of a plain clang build is compared with
// the tmcc build's, traced and not, at the same -O level (LLVM folds some
// of these calls at -O2 with or without TraceMalloc).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O0 %s -o %t/plain0
// RUN: %tmcc -O0 %s -o %t/tm0
// RUN: %clang -O2 %s -o %t/plain2
// RUN: %tmcc -O2 %s -o %t/tm2
// RUN: %t/plain0 > %t/plain0.out
// RUN: env TRACEMALLOC=5 %t/tm0 > %t/tm0.out
// RUN: %t/tm0 > %t/tm0-off.out
// RUN: diff %t/plain0.out %t/tm0.out
// RUN: diff %t/plain0.out %t/tm0-off.out
// RUN: %t/plain2 > %t/plain2.out
// RUN: env TRACEMALLOC=5 %t/tm2 > %t/tm2.out
// RUN: diff %t/plain2.out %t/tm2.out
// RUN: FileCheck %s < %t/tm0.out
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Sizes the optimiser cannot see through.
static volatile size_t zero = 0, huge = SIZE_MAX, half = SIZE_MAX / 2 + 1;
static volatile size_t bad_alignment = 3, odd = 100, align64 = 64;

static void *volatile sink;

static void report(const char *what, const void *result) {
  int error = errno;
  printf("%-40s %s errno=%s\n", what, result ? "ptr " : "NULL",
         error == 0        ? "0"
         : error == ENOMEM ? "ENOMEM"
         : error == EINVAL ? "EINVAL"
                           : strerror(error));
  errno = 0;
}

#define CHECK(expr)                                                            \
  do {                                                                         \
    errno = 0;                                                                 \
    void *r = sink = (expr);                                                   \
    report(#expr, r);                                                          \
    free(r);                                                                   \
  } while (0)

int main(void) {
  CHECK(malloc(zero));
  CHECK(malloc(huge));
  CHECK(malloc(half));
  CHECK(calloc(zero, 8));
  CHECK(calloc(half, 2));
  CHECK(calloc(2, half));
  CHECK(calloc(huge, huge));
  CHECK(realloc(NULL, zero));
  CHECK(realloc(NULL, huge));
  CHECK(aligned_alloc(align64, odd));
  CHECK(aligned_alloc(bad_alignment, 64));
  CHECK(aligned_alloc(align64, zero));
  CHECK(aligned_alloc(align64, huge));
  CHECK(memalign(bad_alignment, odd));
  CHECK(memalign(align64, huge));
  CHECK(valloc(zero));
  CHECK(pvalloc(zero));
  CHECK(strndup("abcdef", zero));

  // realloc(p, 0) frees p and returns NULL (glibc); a failing realloc
  // leaves p alone.
  errno = 0;
  char *p = malloc(10);
  strcpy(p, "kept");
  void *r = realloc(p, huge);
  report("realloc(p, huge)", r);
  printf("p after a failed realloc: %s\n", p);
  r = reallocarray(p, half, 2);
  report("reallocarray(p, half, 2)", r);
  r = reallocarray(p, huge, huge);
  report("reallocarray(p, huge, huge)", r);
  printf("p after failed reallocarrays: %s\n", p);
  r = sink = reallocarray(p, zero, 8);
  report("reallocarray(p, 0, 8)", r);
  free(r);
  p = malloc(10);
  r = sink = realloc(p, zero);
  report("realloc(p, 0)", r);
  free(r);

  // posix_memalign reports through its result, not errno, and leaves
  // *memptr alone on failure.
  void *q = &q;
  errno = 0;
  int status = posix_memalign(&q, bad_alignment, 64);
  printf("posix_memalign(3, 64): %s, memptr %s, errno %d\n",
         status == EINVAL ? "EINVAL" : strerror(status),
         q == &q ? "untouched" : "changed", errno);
  status = posix_memalign(&q, 0, 64);
  printf("posix_memalign(0, 64): %s, memptr %s, errno %d\n",
         status == EINVAL ? "EINVAL" : strerror(status),
         q == &q ? "untouched" : "changed", errno);
  status = posix_memalign(&q, align64, huge);
  printf("posix_memalign(64, huge): %s, memptr %s, errno %d\n",
         status == ENOMEM ? "ENOMEM" : strerror(status),
         q == &q ? "untouched" : "changed", errno);
  status = posix_memalign(&q, align64, odd);
  printf("posix_memalign(64, 100): %d, aligned %d\n", status,
         (uintptr_t)q % 64 == 0);
  free(q);
  errno = 12345;
  free(NULL);
  p = malloc(1);
  free(p);
  printf("errno kept across malloc and free: %d\n", errno);
  return 0;
}

// CHECK: malloc(zero) ptr  errno=0
// CHECK: malloc(huge) NULL errno=ENOMEM
// CHECK: calloc(half, 2) NULL errno=ENOMEM
// CHECK: realloc(p, huge) NULL errno=ENOMEM
// CHECK: p after a failed realloc: kept
// CHECK: reallocarray(p, half, 2) NULL errno=ENOMEM
// CHECK: p after failed reallocarrays: kept
// CHECK: realloc(p, 0) NULL errno=0
// CHECK: posix_memalign(3, 64): EINVAL, memptr untouched, errno 0
// CHECK: posix_memalign(64, huge): ENOMEM, memptr untouched, errno {{[0-9]+}}
// CHECK: errno kept across malloc and free: 12345
