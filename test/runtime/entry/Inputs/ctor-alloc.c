/* A shared library whose constructor allocates LIB_BLOCK bytes, kept. */
#include <stdlib.h>

static void *volatile lib_block;

__attribute__((constructor)) static void allocate_at_load(void) {
  lib_block = malloc(LIB_BLOCK);
}
