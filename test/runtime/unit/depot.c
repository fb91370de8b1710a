// The traceback depot (runtime/tracer/traceback.c) through tracer.h: equal
// frames intern to the same id, different ones (frames, their order, their
// number, the total depth) to different ids; ids are dense and survive the
// depot's growth; the stored traceback is the one given; a reset empties it
// and ids start again at 0. Interning runs with a shard lock held and the
// reset with all of them, as the tracer does.
//
// RUN: %clang -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I%include \
// RUN:   -I%srcroot/runtime/common -I%srcroot/runtime/tracer %s \
// RUN:   %libdir/libtm_core.a -lpthread -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include "tracer.h"

#include <stdio.h>
#include <stdlib.h>

#define NSITE 64
static struct __tm_site sites[NSITE];
#define MANY 5000 // past the initial table (1024 slots) and id array

static uint32_t intern(const tm_site_t *frames, unsigned int nframe,
                       unsigned int total_nframe) {
  uint32_t hash = tm_traceback_hash(frames, nframe, total_nframe);
  uint32_t id;
  tm_table_key key;
  tm_table_key_init(&key, 0, 0);
  tm_table_lock(&key);
  int status = tm_traceback_intern(frames, nframe, total_nframe, hash, &id);
  tm_table_unlock(&key);
  if (status < 0) {
    printf("FAIL: the depot cannot grow\n");
    exit(1);
  }
  return id;
}

static void reset(void) {
  tm_table_lock_all();
  tm_traceback_reset();
  tm_table_unlock_all();
}

static int compare_hashes(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

int main(void) {
  for (unsigned int i = 0; i < NSITE; i++)
    sites[i] = (struct __tm_site){
        .filename = "f.c", .function = "f", .lineno = i, .chain_depth = 1};
  const tm_site_t ab[] = {&sites[0], &sites[1]};
  const tm_site_t ab_copy[] = {&sites[0], &sites[1]};
  const tm_site_t ba[] = {&sites[1], &sites[0]};

  printf("empty: %u\n", tm_traceback_count());
  // CHECK: empty: 0

  uint32_t id_ab = intern(ab, 2, 2);
  uint32_t again = intern(ab, 2, 2);
  uint32_t copy = intern(ab_copy, 2, 2);
  printf("ab: id %u, again %u, equal copy %u, count %u\n", id_ab, again, copy,
         tm_traceback_count());
  // CHECK: ab: id 0, again 0, equal copy 0, count 1

  uint32_t id_ba = intern(ba, 2, 2);
  uint32_t id_a = intern(ab, 1, 1);
  uint32_t id_deeper = intern(ab, 2, 7);
  printf("ba: %u, a alone: %u, ab deeper: %u, count %u\n", id_ba, id_a,
         id_deeper, tm_traceback_count());
  // CHECK: ba: 1, a alone: 2, ab deeper: 3, count 4

  const tm_traceback *tb = tm_traceback_get(3);
  printf("id 3: nframe %u, total %u, frames %u %u, hash kept %d\n", tb->nframe,
         tb->total_nframe, tb->frames[0]->lineno, tb->frames[1]->lineno,
         tb->hash == tm_traceback_hash(ab, 2, 7));
  // CHECK: id 3: nframe 2, total 7, frames 0 1, hash kept 1

  printf("hash: equal frames %d, order %d, total %d, nframe %d\n",
         tm_traceback_hash(ab, 2, 2) == tm_traceback_hash(ab_copy, 2, 2),
         tm_traceback_hash(ab, 2, 2) != tm_traceback_hash(ba, 2, 2),
         tm_traceback_hash(ab, 2, 2) != tm_traceback_hash(ab, 2, 3),
         tm_traceback_hash(ab, 2, 2) != tm_traceback_hash(ab, 1, 2));
  // CHECK: hash: equal frames 1, order 1, total 1, nframe 1

  // Many tracebacks: three frames each, all distinct. Ids are handed out in
  // order, and interning them all again (after the table and the array
  // grew) finds the same ids.
  static uint32_t hashes[MANY];
  int dense = 1, stable = 1;
  for (int pass = 0; pass < 2; pass++)
    for (unsigned int i = 0; i < MANY; i++) {
      tm_site_t frames[3] = {&sites[i % NSITE], &sites[(i / NSITE) % NSITE],
                             &sites[i / (NSITE * NSITE)]};
      uint32_t id = intern(frames, 3, 3);
      if (pass == 0) {
        dense &= id == 4 + i;
        hashes[i] = tm_traceback_hash(frames, 3, 3);
      } else {
        stable &= id == 4 + i;
      }
    }
  id_ab = intern(ab, 2, 2);
  printf("many: count %u, dense %d, stable %d, ab still %u\n",
         tm_traceback_count(), dense, stable, id_ab);
  // CHECK: many: count 5004, dense 1, stable 1, ab still 0

  // The hash spreads them: two collisions among 5000 would already be
  // unlikely (about 1 in 300 for one).
  qsort(hashes, MANY, sizeof(hashes[0]), compare_hashes);
  unsigned int collisions = 0;
  for (unsigned int i = 1; i < MANY; i++)
    collisions += hashes[i] == hashes[i - 1];
  printf("hash collisions: at most 1: %d\n", collisions <= 1);
  // CHECK: hash collisions: at most 1: 1

  reset();
  printf("reset: count %u\n", tm_traceback_count());
  id_ba = intern(ba, 2, 2);
  id_ab = intern(ab, 2, 2);
  printf("after reset: ba %u, ab %u\n", id_ba, id_ab);
  // CHECK: reset: count 0
  // CHECK: after reset: ba 0, ab 1
  tb = tm_traceback_get(1);
  printf("id 1 after reset: nframe %u, first frame %u\n", tb->nframe,
         tb->frames[0]->lineno);
  // CHECK: id 1 after reset: nframe 2, first frame 0
  return 0;
}
