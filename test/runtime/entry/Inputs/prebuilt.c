/* A library compiled without TraceMalloc, like a prebuilt dependency. */
#include <stdlib.h>
#include <string.h>

void *prebuilt_alloc(size_t size) { return malloc(size); }
void prebuilt_free(void *ptr) { free(ptr); }
char *prebuilt_strdup(const char *s) { return strdup(s); }
