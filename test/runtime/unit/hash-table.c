// The runtime's hash table (runtime/common/hash_table.h) through its
// interface: 100,000 entries inserted one by one with the capacity pinned
// at each growth, every entry found again and absent keys found absent,
// iteration visiting each entry once, 300 entries under one forced-equal
// hash (probing past equal hashes to the caller's equality), room asked
// for in advance (no growth), and the caller's allocator getting back
// every block with the size it gave. Also pins the hash functions' values
// (computed independently in Python), which the trace table's and the
// depot's speed depends on.
//
// clang-format off
// RUN: %clang -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I%include -I%srcroot/runtime/common %s %libdir/libtm_core.a -lpthread -o %t
// RUN: %t | FileCheck --match-full-lines %s
// clang-format on
#include "hash_table.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

// CHECK: hash_integer(1) = 9e3779b843248f67
// CHECK-NEXT: hash_mix(0, 1) = 2622600befd31312
// CHECK-NEXT: hash_bytes("abc") = 497fdc24a99ea33e

#define N 100000

static size_t allocations, releases, outstanding;

static void *counting_allocate(size_t size) {
  allocations++;
  outstanding += size;
  return calloc(1, size);
}

static void counting_release(void *ptr, size_t size) {
  releases++;
  outstanding -= size;
  free(ptr);
}

static const tm_allocator counting = {counting_allocate, counting_release};

typedef struct item {
  unsigned int key;
  unsigned int visits;
} item;

static item items[N];

static int same_key(const void *entry, const void *key) {
  return ((const item *)entry)->key == *(const unsigned int *)key;
}

static void fail(const char *what, unsigned int key) {
  printf("FAIL: %s (key %u)\n", what, key);
  exit(1);
}

static void check(int ok, const char *what, unsigned int key) {
  if (!ok)
    fail(what, key);
}

static int is_growth_point(size_t n) {
  return n == 1 || n == 8 || n == 9 || n == 16 || n == 17 || n == 1000 ||
         n == 1024 || n == 1025 || n == N;
}

// Inserts items[0, n) with hash(key), printing the capacity at the points
// where it must change.
static void fill(tm_hash_table *table, size_t n, uint64_t (*hash)(unsigned int),
                 int print) {
  for (size_t i = 0; i < n; i++) {
    items[i] = (item){(unsigned int)i * 7 + 3, 0};
    uint64_t h = hash(items[i].key);
    tm_hash_slot *slot = tm_hash_table_find(table, h, same_key, &items[i].key);
    check(slot->entry == NULL, "new key found before insert", items[i].key);
    check(tm_hash_table_insert(table, slot, h, &items[i]) == 0, "insert",
          items[i].key);
    if (print && is_growth_point(i + 1))
      printf("after %zu: capacity %zu\n", i + 1, table->mask + 1);
  }
}

static void find_all(const tm_hash_table *table, size_t n,
                     uint64_t (*hash)(unsigned int)) {
  for (size_t i = 0; i < n; i++) {
    unsigned int key = items[i].key;
    tm_hash_slot *slot = tm_hash_table_find(table, hash(key), same_key, &key);
    check(slot->entry == &items[i], "entry found", key);
    check(slot->hash == hash(key), "hash kept in the slot", key);
    unsigned int absent = key + 1; // keys are 3 mod 7
    slot = tm_hash_table_find(table, hash(absent), same_key, &absent);
    check(slot->entry == NULL, "absent key found", absent);
  }
}

static size_t iterate(const tm_hash_table *table) {
  size_t count = 0;
  for (tm_hash_slot *slot = tm_hash_table_next(table, NULL); slot;
       slot = tm_hash_table_next(table, slot)) {
    ((item *)slot->entry)->visits++;
    count++;
  }
  return count;
}

static uint64_t spread_hash(unsigned int key) { return tm_hash_integer(key); }

static uint64_t forced_hash(unsigned int key) {
  (void)key;
  return 42;
}

int main(void) {
  printf("hash_integer(1) = %016" PRIx64 "\n", tm_hash_integer(1));
  printf("hash_mix(0, 1) = %016" PRIx64 "\n", tm_hash_mix(0, 1));
  printf("hash_bytes(\"abc\") = %016" PRIx64 "\n", tm_hash_bytes("abc", 3));

  // CHECK-NEXT: empty: capacity 16, used 0, iteration 0
  tm_hash_table table;
  check(tm_hash_table_init(&table, 0, &counting) == 0, "init", 0);
  printf("empty: capacity %zu, used %zu, iteration %zu\n", table.mask + 1,
         table.used, iterate(&table));

  // At most half full: 8 entries fit in 16 slots, the 9th doubles them.
  // CHECK-NEXT: after 1: capacity 16
  // CHECK-NEXT: after 8: capacity 16
  // CHECK-NEXT: after 9: capacity 32
  // CHECK-NEXT: after 16: capacity 32
  // CHECK-NEXT: after 17: capacity 64
  // CHECK-NEXT: after 1000: capacity 2048
  // CHECK-NEXT: after 1024: capacity 2048
  // CHECK-NEXT: after 1025: capacity 4096
  // CHECK-NEXT: after 100000: capacity 262144
  fill(&table, N, spread_hash, 1);
  find_all(&table, N, spread_hash);
  size_t visited = iterate(&table);
  for (size_t i = 0; i < N; i++)
    check(items[i].visits == 1, "visited once", items[i].key);
  // CHECK-NEXT: used 100000, iteration 100000
  printf("used %zu, iteration %zu\n", table.used, visited);
  tm_hash_table_fini(&table);
  // 16 -> 262144: 15 arrays, each given back with its size.
  // CHECK-NEXT: allocations 15, releases 15, outstanding 0
  printf("allocations %zu, releases %zu, outstanding %zu\n", allocations,
         releases, outstanding);

  // Every entry under one hash: found by the caller's equality alone.
  tm_hash_table_init(&table, 0, &counting);
  fill(&table, 300, forced_hash, 0);
  find_all(&table, 300, forced_hash);
  // CHECK-NEXT: forced-equal hash: used 300, capacity 1024, iteration 300
  printf("forced-equal hash: used %zu, capacity %zu, iteration %zu\n",
         table.used, table.mask + 1, iterate(&table));
  tm_hash_table_fini(&table);

  // Room for 1,000 up front: 2048 slots, never grown.
  allocations = releases = 0;
  tm_hash_table_init(&table, 1000, &counting);
  fill(&table, 1000, spread_hash, 0);
  find_all(&table, 1000, spread_hash);
  tm_hash_table_fini(&table);
  // CHECK-NEXT: expected 1000: allocations 1, releases 1, outstanding 0
  printf("expected 1000: allocations %zu, releases %zu, outstanding %zu\n",
         allocations, releases, outstanding);
  return 0;
}
