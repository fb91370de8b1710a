/* Built by consumers.test with CMake and with pkg-config. */
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

int main(void) {
  void *volatile block = malloc(23456);
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  printf("tracing=%d current>=23456: %d\n", tracemalloc_is_tracing(),
         current >= 23456);
  return block == NULL;
}
