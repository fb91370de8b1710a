#include <stdlib.h>

void *volatile keep[3];

static inline __attribute__((always_inline)) void *grow(int n) {
  return malloc(n);
}
static inline __attribute__((always_inline)) void *fill(int n) {
  return grow(n * 2);
}
__attribute__((noinline)) void *make(int n) { return fill(n); }
__attribute__((noinline)) void *plain(int n) { return malloc(n); }

int main(void) {
  keep[0] = make(100);
  keep[1] = make(200);
  keep[2] = plain(50);
  return 0;
}
