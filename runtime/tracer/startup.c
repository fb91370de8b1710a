/*
 * startup.c - tracing started before main() as the environment says (from
 * the executable's .preinit_array, else from a constructor; see below): the
 * variables of env_vars.def (read and checked by options.c), and what each
 * needs to act:
 *
 *   TRACEMALLOC=N        start tracing with N frames (1..65535; 0: do not).
 *                        Unset: 25 frames with TRACEMALLOC_LEAKS=1, else 1
 *                        with TRACEMALLOC_DUMP, else no tracing.
 *   TRACEMALLOC_DUMP, TRACEMALLOC_LEAKS
 *                        need tracing: with TRACEMALLOC=0 they are reported
 *                        and ignored.
 *   TRACEMALLOC_DUMP_SIGNAL, TRACEMALLOC_DUMP_EVERY
 *                        need TRACEMALLOC_DUMP (the dumper, dumper.c, names
 *                        the numbered files after it).
 *   TRACEMALLOC_UNINSTRUMENTED
 *                        read by the interposed malloc family (interpose.c).
 *   TRACEMALLOC_PEAK     keep the traces at the peak (peak_copy.c), whoever
 *                        starts tracing: it does not start it.
 *
 * This file is not part of the library the command-line tools link, so the
 * tools never start tracing or dump because these variables are set.
 */
#include "startup.h"
#include "dumper.h"
#include "options.h"
#include "tracer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* How many tracebacks the leak report shows. */
#define LEAK_REPORT_LIMIT 10

/* ---- Leak report ---- */

static void print_leak(const tracemalloc_statistic *stat) {
  fprintf(stderr, "%zu memory blocks: %.1f KiB\n", stat->count,
          (double)stat->size / 1024);
  size_t nlines = 0;
  char **lines = tracemalloc_traceback_format_with_functions(stat->traceback, 0,
                                                             0, 0, &nlines);
  for (size_t i = 0; lines && i < nlines; i++)
    fprintf(stderr, "%s\n", lines[i]);
  tracemalloc_lines_free(lines);
}

static void report_leaks_at_exit(void) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  tracemalloc_statistics *stats =
      snapshot ? tracemalloc_snapshot_statistics_by_function(
                     snapshot, TRACEMALLOC_KEY_TRACEBACK, 0)
               : NULL;
  if (!stats) {
    fprintf(stderr, "tracemalloc: no leak report: %s\n",
            tracemalloc_last_error());
  } else {
    size_t total = 0, blocks = 0;
    for (size_t i = 0; i < stats->count; i++) {
      total += stats->items[i].size;
      blocks += stats->items[i].count;
    }
    fprintf(stderr,
            "tracemalloc: %zu blocks (%.1f KiB) still allocated at exit, "
            "from %zu tracebacks; the biggest:\n",
            blocks, (double)total / 1024, stats->count);
    for (size_t i = 0; i < stats->count && i < LEAK_REPORT_LIMIT; i++)
      print_leak(&stats->items[i]);
    tracemalloc_statistics_free(stats);
  }
  tracemalloc_snapshot_free(snapshot);
}

/* ---- Start-up ---- */

/* The number of frames to trace with, 0 for none. */
static unsigned int frames_to_trace(const tm_option options[TM_ENV_COUNT]) {
  if (options[TM_ENV_FRAMES].text)
    return (unsigned int)options[TM_ENV_FRAMES].value;
  if (options[TM_ENV_LEAKS].value)
    return 25;
  return options[TM_ENV_DUMP].text ? 1 : 0;
}

/* Options that have nothing to act on are reported like bad values. */
static void ignore_unusable(tm_option options[TM_ENV_COUNT],
                            unsigned int nframe) {
  if (nframe == 0 && options[TM_ENV_DUMP].text)
    tm_option_ignore(options, TM_ENV_DUMP, "tracing (TRACEMALLOC=0)");
  if (nframe == 0 && options[TM_ENV_LEAKS].value)
    tm_option_ignore(options, TM_ENV_LEAKS, "tracing (TRACEMALLOC=0)");
  if (!options[TM_ENV_DUMP].text) {
    if (options[TM_ENV_DUMP_SIGNAL].text)
      tm_option_ignore(options, TM_ENV_DUMP_SIGNAL, "TRACEMALLOC_DUMP");
    if (options[TM_ENV_DUMP_EVERY].text)
      tm_option_ignore(options, TM_ENV_DUMP_EVERY, "TRACEMALLOC_DUMP");
  }
}

/* Read the options from envp and act on them. */
static void start_from(char *const *envp) {
  int saved_errno = errno;
  tm_option options[TM_ENV_COUNT];
  tm_options_read(options, envp);
  tm_trace_uninstrumented = (int)options[TM_ENV_UNINSTRUMENTED].value;
  if (options[TM_ENV_PEAK].text)
    tm_peak_track((unsigned int)options[TM_ENV_PEAK].value);
  if (options[TM_ENV_DUMP].text &&
      tm_dump_set_path(options[TM_ENV_DUMP].text) < 0)
    tm_option_ignore(options, TM_ENV_DUMP, NULL);
  unsigned int nframe = frames_to_trace(options);
  ignore_unusable(options, nframe);
  if (nframe > 0) {
    /* atexit handlers run last-registered first: dump, then report. */
    if (options[TM_ENV_LEAKS].value)
      atexit(report_leaks_at_exit);
    if (options[TM_ENV_DUMP].text)
      tm_dumper_start((int)options[TM_ENV_DUMP_SIGNAL].value,
                      (size_t)options[TM_ENV_DUMP_EVERY].value);
    tracemalloc_start(nframe);
  }
  errno = saved_errno;
}

/* Set by the first start-up: the second one does nothing. Both run in the
 * program's only thread (or under the dynamic linker's lock, for a dlopen). */
static _Atomic int started;

/* From the executable's .preinit_array (preinit.c), when the program was
 * linked with it: before the initialisers of every shared library, so that
 * their allocations (libstdc++'s emergency exception pool) are traced too.
 * libtracemalloc.so is relocated by then, but none of its own constructors
 * has run: the start path needs none of them (tracemalloc_start sets up
 * what tracer.c's constructor would, once), and reads the environment it is
 * given, not environ, which libc's initialiser has not set yet. */
void __tm_preinit(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  if (!atomic_exchange(&started, 1))
    start_from(envp);
}

/* Without the .preinit_array entry (a program not linked by tmcc, or a
 * runtime loaded with dlopen): priority 101, the first one available to
 * programs, so that allocations made by other constructors (C++ static
 * initialisers among them) are traced. */
__attribute__((constructor(101))) static void tm_startup(void) {
  if (!atomic_exchange(&started, 1))
    start_from(environ);
}
