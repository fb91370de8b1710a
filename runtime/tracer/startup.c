/*
 * startup.c - options from the environment, read before main().
 *
 *   TRACEMALLOC=N        start tracing with N frames (1..65535; 0: do not),
 *                        like PYTHONTRACEMALLOC.
 *   TRACEMALLOC_DUMP=F   at exit, write a snapshot of the live blocks to F
 *                        ("%p" in F: the process id). Starts tracing with 1
 *                        frame if TRACEMALLOC is unset.
 *   TRACEMALLOC_DUMP_SIGNAL=SIG
 *                        also write a numbered snapshot (F with ".N" before
 *                        its extension, or "%n" in F) on signal SIG
 *                        (a number, or a name such as USR1 or SIGUSR2).
 *   TRACEMALLOC_DUMP_EVERY=BYTES
 *                        also write a numbered snapshot each time traced
 *                        memory has grown by BYTES (suffixes K, M, G).
 *   TRACEMALLOC_LEAKS=1  at exit, print the biggest tracebacks of the blocks
 *                        still allocated to stderr. Starts tracing with 25
 *                        frames if TRACEMALLOC is unset.
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
#include "tm_startup.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TRACEMALLOC_DUMP made absolute: the dump happens at exit, maybe after a
 * chdir(). */
static char dump_pattern[TM_PATH_MAX];
/* How many tracebacks the leak report shows. */
#define LEAK_REPORT_LIMIT 10

/* ---- Parsing ---- */

static void bad_option(const char *name, const char *value,
                       const char *expected) {
  fprintf(stderr, "tracemalloc: %s=%s: %s; ignored\n", name, value, expected);
}

/* A whole number in [0, max], or -1. */
static long long parse_number(const char *text, long long max) {
  char *end;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (errno || end == text || *end != '\0' || value < 0 || value > max)
    return -1;
  return value;
}

/* "4096", "64K", "100M", "2G". 0 on error. */
static size_t parse_bytes(const char *text) {
  char *end;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno || end == text || text[0] == '-')
    return 0;
  int shift = 0;
  switch (toupper((unsigned char)*end)) {
  case 'K':
    shift = 10;
    end++;
    break;
  case 'M':
    shift = 20;
    end++;
    break;
  case 'G':
    shift = 30;
    end++;
    break;
  default:
    break;
  }
  if (*end != '\0' || value > (SIZE_MAX >> shift))
    return 0;
  return (size_t)(value << shift);
}

static int parse_signal(const char *text) {
  long long number = parse_number(text, 64);
  if (number > 0)
    return (int)number;
  if (strncmp(text, "SIG", 3) == 0)
    text += 3;
  static const struct {
    const char *name;
    int number;
  } names[] = {{"USR1", SIGUSR1}, {"USR2", SIGUSR2},   {"HUP", SIGHUP},
               {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"URG", SIGURG}};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(text, names[i].name) == 0)
      return names[i].number;
  return -1;
}

/* ---- Dump files ---- */

static int remember_dump_pattern(const char *path) {
  char cwd[TM_PATH_MAX];
  int length;
  if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
    length = snprintf(dump_pattern, sizeof(dump_pattern), "%s", path);
  else
    length = snprintf(dump_pattern, sizeof(dump_pattern), "%s/%s", cwd, path);
  return length > 0 && (size_t)length < sizeof(dump_pattern) ? 0 : -1;
}

/* Where ".N" goes when the pattern has no "%n": before the extension of the
 * last path component, or at the end. */
static const char *number_position(const char *pattern) {
  const char *base = strrchr(pattern, '/');
  base = base ? base + 1 : pattern;
  const char *dot = strrchr(base, '.');
  return dot && dot != base ? dot : pattern + strlen(pattern);
}

int tm_dump_path(char *buf, size_t size, unsigned long n) {
  char number[32];
  if (n == 0)
    snprintf(number, sizeof(number), "exit");
  else
    snprintf(number, sizeof(number), "%lu", n);
  const char *insert_at = n != 0 && !strstr(dump_pattern, "%n")
                              ? number_position(dump_pattern)
                              : NULL;
  size_t used = 0;
  for (const char *p = dump_pattern;; p++) {
    char piece[40] = "";
    if (p == insert_at)
      snprintf(piece, sizeof(piece), ".%s", number);
    size_t piece_length = strlen(piece);
    if (*p == '%' && (p[1] == 'p' || p[1] == 'n' || p[1] == '%')) {
      if (p[1] == 'p')
        snprintf(piece + piece_length, sizeof(piece) - piece_length, "%ld",
                 (long)getpid());
      else if (p[1] == 'n')
        snprintf(piece + piece_length, sizeof(piece) - piece_length, "%s",
                 number);
      else
        snprintf(piece + piece_length, sizeof(piece) - piece_length, "%%");
      p++;
    } else if (*p != '\0') {
      piece[piece_length] = *p;
      piece[piece_length + 1] = '\0';
    }
    piece_length = strlen(piece);
    if (used + piece_length >= size)
      return -1;
    memcpy(buf + used, piece, piece_length + 1);
    used += piece_length;
    if (*p == '\0')
      return 0;
  }
}

void tm_dump_to(const char *path) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (!snapshot || tracemalloc_snapshot_dump(snapshot, path) < 0)
    fprintf(stderr, "tracemalloc: cannot write a snapshot to %s: %s\n", path,
            tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
}

static void dump_at_exit(void) {
  char path[TM_PATH_MAX];
  if (tm_dump_path(path, sizeof(path), 0) < 0)
    fprintf(stderr, "tracemalloc: TRACEMALLOC_DUMP: file name too long\n");
  else
    tm_dump_to(path);
}

/* ---- Leak report ---- */

static void print_leak(const tracemalloc_statistic *stat) {
  fprintf(stderr, "%zu memory blocks: %.1f KiB\n", stat->count,
          (double)stat->size / 1024);
  size_t nlines = 0;
  char **lines =
      tracemalloc_traceback_format(stat->traceback, 0, 0, 0, &nlines);
  for (size_t i = 0; lines && i < nlines; i++)
    fprintf(stderr, "%s\n", lines[i]);
  tracemalloc_lines_free(lines);
}

static void report_leaks_at_exit(void) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  tracemalloc_statistics *stats =
      snapshot ? tracemalloc_snapshot_statistics(snapshot,
                                                 TRACEMALLOC_KEY_TRACEBACK, 0)
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

static const char *option(const char *name) {
  const char *value = secure_getenv(name);
  return value && *value ? value : NULL;
}

/* The number of frames to trace with, 0 for none. */
static long long frames_option(int dumping, int leaks) {
  const char *text = option("TRACEMALLOC");
  if (!text)
    return leaks ? 25 : dumping ? 1 : 0;
  long long nframe = parse_number(text, TRACEMALLOC_MAX_NFRAME);
  if (nframe < 0) {
    bad_option("TRACEMALLOC", text, "expected a number of frames, 0 to 65535");
    return 0;
  }
  return nframe;
}

static void start_dumper(void) {
  const char *signal_text = option("TRACEMALLOC_DUMP_SIGNAL");
  const char *every_text = option("TRACEMALLOC_DUMP_EVERY");
  int signal_number = 0;
  size_t every = 0;
  if (signal_text && (signal_number = parse_signal(signal_text)) < 0) {
    bad_option("TRACEMALLOC_DUMP_SIGNAL", signal_text,
               "expected a signal number or name (USR1, USR2, HUP, ...)");
    signal_number = 0;
  }
  if (every_text && (every = parse_bytes(every_text)) == 0)
    bad_option("TRACEMALLOC_DUMP_EVERY", every_text,
               "expected a size in bytes (4096, 64K, 100M, 2G)");
  if (signal_number > 0 || every > 0)
    tm_dumper_start(signal_number, every);
}

/* Priority 101, the first one available to programs: allocations made by
 * other constructors (C++ static initialisers among them) are traced. */
__attribute__((constructor(101))) static void tm_startup(void) {
  int saved_errno = errno;
  const char *uninstrumented = option("TRACEMALLOC_UNINSTRUMENTED");
  if (uninstrumented && strcmp(uninstrumented, "0") == 0)
    tm_trace_uninstrumented = 0;

  const char *dump = option("TRACEMALLOC_DUMP");
  const char *leaks = option("TRACEMALLOC_LEAKS");
  int report_leaks = leaks && strcmp(leaks, "0") != 0;
  if (dump && remember_dump_pattern(dump) < 0) {
    bad_option("TRACEMALLOC_DUMP", dump, "file name too long");
    dump = NULL;
  }
  long long nframe = frames_option(dump != NULL, report_leaks);
  if (nframe > 0) {
    /* atexit handlers run last-registered first: dump, then report. */
    if (report_leaks)
      atexit(report_leaks_at_exit);
    if (dump) {
      atexit(dump_at_exit);
      start_dumper();
    }
    tracemalloc_start((unsigned int)nframe);
  }
  errno = saved_errno;
}
