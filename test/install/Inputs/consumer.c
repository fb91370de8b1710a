/* A small program that uses the C API, built with an installed tmcc. */
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

int main(void) {
  void *volatile block = malloc(12345);
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("current=%zu peak=%zu\n", current, peak);
  return block == NULL;
}
