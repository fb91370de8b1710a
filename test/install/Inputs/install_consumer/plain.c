/* Not instrumented, linked with TraceMalloc::runtime_static: the C API. */
#include <stdio.h>
#include <tracemalloc.h>

int main(void) {
  /* Started by TRACEMALLOC=1 from the .preinit_array entry that
   * TraceMalloc::runtime_static brings. */
  printf("plain: started=%d\n", tracemalloc_is_tracing());
  tracemalloc_start(1);
  printf("plain: tracing=%d\n", tracemalloc_is_tracing());
  tracemalloc_stop();
  return 0;
}
