// Regions (runtime/tracer/os_memory.c), which the trace table grows in:
// reserving maps no memory and counts none; a commit maps whole pages from
// the start, zeroed, counts exactly them, and keeps what was written below;
// a commit past the reservation fails and changes nothing; releasing gives
// every committed byte back to the count.
//
// RUN: %clang -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I%include \
// RUN:   -I%srcroot/runtime/common -I%srcroot/runtime/tracer %s \
// RUN:   %libdir/libtm_core.a -lpthread -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include "tracer.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static size_t mapped(size_t before) { return tm_os_mapped_bytes() - before; }

static int all_zero(const char *bytes, size_t size) {
  for (size_t i = 0; i < size; i++)
    if (bytes[i])
      return 0;
  return 1;
}

int main(void) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t before = tm_os_mapped_bytes();
  tm_os_region region = {0};

  int status = tm_os_region_reserve(&region, 40 * page + 1);
  printf("reserve: %d, pages %zu, committed %zu, counted %zu\n", status,
         region.reserved / page, region.committed, mapped(before));
  // CHECK: reserve: 0, pages 41, committed 0, counted 0

  status = tm_os_region_commit(&region, 3 * page + 10);
  printf("commit: %d, pages %zu, counted pages %zu, zeroed %d\n", status,
         region.committed / page, mapped(before) / page,
         all_zero(region.base, region.committed));
  // CHECK: commit: 0, pages 4, counted pages 4, zeroed 1

  memset(region.base, 0x5a, region.committed);
  status = tm_os_region_commit(&region, 2 * page);
  printf("smaller: %d, pages %zu\n", status, region.committed / page);
  // CHECK: smaller: 0, pages 4

  status = tm_os_region_commit(&region, 20 * page);
  int kept = region.base[0] == 0x5a && region.base[4 * page - 1] == 0x5a;
  printf("grown: %d, pages %zu, counted pages %zu, kept %d, new zeroed %d\n",
         status, region.committed / page, mapped(before) / page, kept,
         all_zero(region.base + 4 * page, 16 * page));
  // CHECK: grown: 0, pages 20, counted pages 20, kept 1, new zeroed 1

  status = tm_os_region_commit(&region, 41 * page + 1);
  printf("past the reservation: %d, pages %zu, counted pages %zu\n", status,
         region.committed / page, mapped(before) / page);
  // CHECK: past the reservation: -1, pages 20, counted pages 20

  status = tm_os_region_commit(&region, 41 * page);
  printf("to the end: %d, pages %zu\n", status, region.committed / page);
  // CHECK: to the end: 0, pages 41

  tm_os_region_release(&region);
  printf("released: base %s, counted %zu\n", region.base ? "set" : "NULL",
         mapped(before));
  // CHECK: released: base NULL, counted 0

  tm_os_region_release(&region); // an empty region: nothing to do
  printf("released again: counted %zu\n", mapped(before));
  // CHECK: released again: counted 0
  return 0;
}
