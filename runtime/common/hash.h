/*
 * hash.h - the runtime's hash functions, for its hash tables: the shared one
 * (hash_table.h) and the two that differ from it, the trace table
 * (tracer/trace_table.c) and the traceback depot's ids (tracer/traceback.c).
 */
#ifndef TM_HASH_H
#define TM_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 2^64 divided by the golden ratio, odd: multiplying by it (Fibonacci
 * hashing) spreads consecutive keys -- aligned addresses, small numbers --
 * over the high bits of the product. */
#define TM_HASH_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* FNV-1a's offset basis and prime. */
#define TM_HASH_FNV_BASIS UINT64_C(0xcbf29ce484222325)
#define TM_HASH_FNV_PRIME UINT64_C(0x100000001b3)

/* Fold value into the running hash h: one round of a multiply-xorshift
 * mixer (as in splitmix64's finaliser), cheap, and every input bit reaches
 * every output bit -- so the low bits that pick a slot are good ones. */
static inline uint64_t tm_hash_mix(uint64_t h, uint64_t value) {
  h ^= value + TM_HASH_GOLDEN + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= UINT64_C(0xbf58476d1ce4e5b9);
  h ^= h >> 29;
  return h;
}

/* A number, or an address the caller knows to be well spread: one
 * multiply (Fibonacci hashing), whose high half -- where the product's
 * entropy is -- is folded into the low bits that pick a slot. Cheaper than
 * tm_hash_mix, for the tables that hash once per trace. */
static inline uint64_t tm_hash_integer(uint64_t value) {
  uint64_t h = value * TM_HASH_GOLDEN;
  return h ^ (h >> 31);
}

/* An object compared by address (an interned string, frame, ...). */
static inline uint64_t tm_hash_pointer(const void *pointer) {
  return tm_hash_mix(0, (uint64_t)(uintptr_t)pointer);
}

/* A string by value: FNV-1a, then mixed, since short file names differ in
 * few bytes. */
static inline uint64_t tm_hash_bytes(const char *bytes, size_t length) {
  uint64_t h = TM_HASH_FNV_BASIS;
  for (size_t i = 0; i < length; i++) {
    h ^= (unsigned char)bytes[i];
    h *= TM_HASH_FNV_PRIME;
  }
  return tm_hash_mix(h, length);
}

#endif /* TM_HASH_H */
