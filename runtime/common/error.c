/*
 * error.c - the per-thread message behind tracemalloc_last_error().
 *
 * Like dlerror(): the C API returns NULL or -1 on failure and this says why.
 * The buffer is per thread so concurrent failures do not mix messages.
 */
#include "tm_common.h"

#include <stdio.h>

static _Thread_local char last_error[1024];

void tm_set_error(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(last_error, sizeof(last_error), fmt, args);
  va_end(args);
}

const char *tracemalloc_last_error(void) { return last_error; }
