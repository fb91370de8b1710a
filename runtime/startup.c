/*
 * startup.c - options from the environment, read before main().
 *
 *   TRACEMALLOC=N        start tracing with N frames (1..65535; 0: do not),
 *                        like PYTHONTRACEMALLOC.
 *   TRACEMALLOC_DUMP=F   at exit, write a snapshot of the live blocks to F.
 *                        Starts tracing with 1 frame if TRACEMALLOC is unset.
 *   TRACEMALLOC_UNINSTRUMENTED=0
 *                        do not record allocations made by code compiled
 *                        without the plugin (libc, prebuilt libraries).
 *
 * Read with secure_getenv: a set-user-ID program must not be made to write
 * files by its caller's environment. A bad value is reported on stderr and
 * ignored: the traced program itself must run as it would without us.
 *
 * This file is not part of the library the command-line tools link, so the
 * tools never start tracing or dump because these variables are set.
 */
#include "tm_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dump_path[PATH_MAX];

/* Parse a frame count; -1 if it is not a number in 0..65535. */
static long parse_nframe(const char *text) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || end == text || *end != '\0' || value < 0 ||
      value > TRACEMALLOC_MAX_NFRAME)
    return -1;
  return value;
}

static void dump_at_exit(void) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (!snapshot || tracemalloc_snapshot_dump(snapshot, dump_path) < 0)
    fprintf(stderr, "tracemalloc: cannot write TRACEMALLOC_DUMP=%s: %s\n",
            dump_path, tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
}

/* The dump happens at exit, maybe after a chdir(): make the path absolute
 * now. */
static int remember_dump_path(const char *path) {
  char cwd[PATH_MAX];
  int length;
  if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
    length = snprintf(dump_path, sizeof(dump_path), "%s", path);
  else
    length = snprintf(dump_path, sizeof(dump_path), "%s/%s", cwd, path);
  return length > 0 && (size_t)length < sizeof(dump_path) ? 0 : -1;
}

/* Priority 101, the first one available to programs: allocations made by
 * other constructors (C++ static initialisers among them) are traced. */
__attribute__((constructor(101))) static void tm_startup(void) {
  int saved_errno = errno;
  const char *uninstrumented = secure_getenv("TRACEMALLOC_UNINSTRUMENTED");
  if (uninstrumented && strcmp(uninstrumented, "0") == 0)
    tm_trace_uninstrumented = 0;
  const char *nframe_text = secure_getenv("TRACEMALLOC");
  const char *dump = secure_getenv("TRACEMALLOC_DUMP");
  long nframe = 0;
  if (nframe_text && *nframe_text) {
    nframe = parse_nframe(nframe_text);
    if (nframe < 0) {
      fprintf(stderr,
              "tracemalloc: TRACEMALLOC=%s: invalid number of frames "
              "(expected 0 to %d); not tracing\n",
              nframe_text, TRACEMALLOC_MAX_NFRAME);
      errno = saved_errno;
      return;
    }
  } else if (dump && *dump) {
    nframe = 1;
  }
  if (dump && *dump) {
    if (remember_dump_path(dump) < 0)
      fprintf(stderr, "tracemalloc: TRACEMALLOC_DUMP: path too long\n");
    else if (nframe > 0)
      atexit(dump_at_exit);
  }
  if (nframe > 0)
    tracemalloc_start((unsigned int)nframe);
  errno = saved_errno;
}
