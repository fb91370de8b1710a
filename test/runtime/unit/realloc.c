// The realloc bookkeeping (runtime/tracer/realloc.h), driven directly around
// glibc's own realloc, as the entry points, the interposer and the families
// drive it: the old block's trace is out while the call runs; a result
// carries the new size and traceback; a failure puts the old trace back; a
// realloc(p, 0) that frees leaves no trace; errno is the allocator's.
//
// RUN: %clang -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I%include \
// RUN:   -I%srcroot/runtime/common -I%srcroot/runtime/tracer %s \
// RUN:   %libdir/libtm_core.a -lpthread -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include "realloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const struct __tm_site site_a = {
    .filename = "a.c", .function = "make", .lineno = 1, .chain_depth = 1};
static const struct __tm_site site_b = {
    .filename = "b.c", .function = "grow", .lineno = 2, .chain_depth = 1};
static const struct __tm_site site_c = {
    .filename = "c.c", .function = "fail", .lineno = 3, .chain_depth = 1};

#define HUGE_SIZE (SIZE_MAX / 2)

static void show(const char *what, unsigned int domain, const void *ptr) {
  tm_trace_entry entry;
  tm_table_key key;
  tm_table_key_init(&key, domain, (uintptr_t)ptr);
  tm_table_lock(&key);
  int found = tm_table_find(&key, &entry);
  tm_table_unlock(&key);
  size_t traced;
  tracemalloc_get_traced_memory(&traced, NULL);
  if (!found) {
    printf("%s: no trace, traced=%zu\n", what, traced);
    return;
  }
  const tm_traceback *tb = tm_traceback_get(entry.traceback_id);
  printf("%s: size=%zu at %s:%u, traced=%zu\n", what, entry.size,
         tb->frames[0]->function, tb->frames[0]->lineno, traced);
}

static void *traced_block(unsigned int domain, size_t size, tm_site_t site) {
  void *ptr = malloc(size);
  tm_record_alloc(domain, ptr, size, site);
  return ptr;
}

int main(void) {
  tracemalloc_start(1);
  tm_realloc_call call;

  // A NULL pointer: a malloc.
  tm_realloc_begin(&call, 0, NULL);
  void *ptr = realloc(NULL, 100);
  tm_realloc_end(&call, ptr, 100, TM_LIBC_REALLOC_ZERO_FREES, &site_a);
  show("null", 0, ptr);
  // CHECK: null: size=100 at make:1, traced=100

  // Success: the trace moves to the result, with the new size and site. A
  // block after ptr keeps glibc from growing it in place.
  void *blocker = malloc(100);
  tm_realloc_begin(&call, 0, ptr);
  show("during", 0, ptr);
  void *grown = realloc(ptr, 100000);
  errno = 1234;
  tm_realloc_end(&call, grown, 100000, TM_LIBC_REALLOC_ZERO_FREES, &site_b);
  printf("errno kept: %d\n", errno == 1234);
  printf("moved: %d\n", grown != ptr);
  show("grown", 0, grown);
  show("old address", 0, ptr);
  // CHECK: during: no trace, traced=0
  // CHECK: errno kept: 1
  // CHECK: moved: 1
  // CHECK: grown: size=100000 at grow:2, traced=100000
  // CHECK: old address: no trace, traced=100000

  // Failure: the old trace is back as it was, errno is realloc's.
  tm_realloc_begin(&call, 0, grown);
  errno = 0;
  void *failed = realloc(grown, HUGE_SIZE);
  tm_realloc_end(&call, failed, HUGE_SIZE, TM_LIBC_REALLOC_ZERO_FREES, &site_c);
  printf("failed: %p, ENOMEM: %d\n", failed, errno == ENOMEM);
  show("restored", 0, grown);
  // CHECK: failed: (nil), ENOMEM: 1
  // CHECK: restored: size=100000 at grow:2, traced=100000

  // A family whose realloc(p, 0) does not free: NULL for size 0 is a
  // failure, and the trace comes back.
  tm_realloc_begin(&call, 0, grown);
  tm_realloc_end(&call, NULL, 0, 0, &site_c);
  show("size 0, not freeing", 0, grown);
  // CHECK: size 0, not freeing: size=100000 at grow:2, traced=100000

  // glibc's realloc(p, 0) frees p and returns NULL: no trace left.
  tm_realloc_begin(&call, 0, grown);
  void *zero = realloc(grown, 0);
  tm_realloc_end(&call, zero, 0, TM_LIBC_REALLOC_ZERO_FREES, &site_c);
  printf("realloc(p, 0): %p\n", zero);
  show("freed by size 0", 0, grown);
  // CHECK: realloc(p, 0): (nil)
  // CHECK: freed by size 0: no trace, traced=0

  // A block that had no trace (allocated before tracing, say): the result
  // is recorded; a failure puts nothing back.
  void *untraced = malloc(64);
  tm_realloc_begin(&call, 0, untraced);
  printf("old traced: %d\n", call.old_traced);
  void *moved = realloc(untraced, 128);
  tm_realloc_end(&call, moved, 128, TM_LIBC_REALLOC_ZERO_FREES, &site_b);
  show("untraced, grown", 0, moved);
  void *plain = malloc(32);
  tm_realloc_begin(&call, 0, plain);
  tm_realloc_end(&call, NULL, HUGE_SIZE, TM_LIBC_REALLOC_ZERO_FREES, &site_c);
  show("untraced, failed", 0, plain);
  // CHECK: old traced: 0
  // CHECK: untraced, grown: size=128 at grow:2, traced=128
  // CHECK: untraced, failed: no trace, traced=128

  // The domain is kept.
  void *in_domain = traced_block(7, 48, &site_a);
  tm_realloc_begin(&call, 7, in_domain);
  void *domain_grown = realloc(in_domain, 4096);
  tm_realloc_end(&call, domain_grown, 4096, 0, &site_b);
  show("domain 7", 7, domain_grown);
  show("domain 0", 0, domain_grown);
  // CHECK: domain 7: size=4096 at grow:2, traced=4224
  // CHECK: domain 0: no trace, traced=4224

  // The traces cleared while the call ran: a failure puts nothing back
  // (its traceback id belongs to the depot that was reset).
  tm_realloc_begin(&call, 7, domain_grown);
  tracemalloc_clear_traces();
  tm_realloc_end(&call, NULL, HUGE_SIZE, 0, &site_c);
  show("cleared meanwhile", 7, domain_grown);
  // CHECK: cleared meanwhile: no trace, traced=0

  // Tracing stopped while the call ran: nothing put back either.
  tm_record_alloc(0, plain, 32, &site_a);
  tm_realloc_begin(&call, 0, plain);
  tracemalloc_stop();
  tm_realloc_end(&call, NULL, HUGE_SIZE, TM_LIBC_REALLOC_ZERO_FREES, &site_c);
  tracemalloc_start(1);
  show("stopped meanwhile", 0, plain);
  // CHECK: stopped meanwhile: no trace, traced=0

  free(blocker);
  free(moved);
  free(plain);
  free(domain_grown);
  tracemalloc_stop();
  return 0;
}
