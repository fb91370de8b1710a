/*
 * cli.h - what the files of the tracemalloc command-line tool share.
 *
 * utils/tracemalloc.c has main(), the table of subcommands and the one
 * driver that runs them: parse the arguments (options.c), load the
 * snapshots (snapshots.c), run the subcommand, report the error, free.
 * Each subcommand lives in a file of its own here and hands the driver one
 * cli_command: report.c (top, stats), compare.c, traceback.c, display.c,
 * export.c (with json.c, html.c and pprof.c) and run.c. output.c writes what
 * they print; progress.c shows on a terminal which long step is running.
 */
#ifndef TM_CLI_H
#define TM_CLI_H

#include "tracemalloc.h"

#include <stddef.h>
#include <stdio.h>

enum { EXIT_ERROR = 2 };

/* ---- Options ---- */

typedef enum cli_option_mask {
  OPT_KEY = 1 << 0,        /* --key */
  OPT_CUMULATIVE = 1 << 1, /* --cumulative */
  OPT_LIMIT = 1 << 2,      /* --limit */
  OPT_FILTERS = 1 << 3,    /* --include/--exclude/--all-frames/--domain... */
  OPT_FORMAT = 1 << 4,     /* --format (export) */
  OPT_OUTPUT = 1 << 5,     /* -o/--output */
  OPT_NFRAME = 1 << 6,     /* --nframe (run) */
  OPT_RECENT = 1 << 7,     /* --most-recent-first (traceback) */
  OPT_COMMAND = 1 << 8,    /* the positionals end with a command (run) */
  OPT_SORT = 1 << 9,       /* --sort (allocations) */
  OPT_PEAK = 1 << 10,      /* --peak */
} cli_option_mask;

typedef enum cli_format {
  FORMAT_NONE,
  FORMAT_PICKLE,
  FORMAT_COLLAPSED,
  FORMAT_JSON,
  FORMAT_HTML,
  FORMAT_PPROF,
} cli_format;

typedef struct cli_options {
  const char *paths[2];
  int npath;
  tracemalloc_key_type key_type;
  int cumulative;
  tracemalloc_allocation_sort sort;
  size_t limit;
  /* Filename filters and domain filters apply one after the other. */
  tracemalloc_filter *filters;
  size_t nfilter;
  tracemalloc_filter *domain_filters;
  size_t ndomain_filter;
  int all_frames;
  cli_format format;
  const char *output;
  unsigned int nframe;
  int most_recent_first;
  int peak;       /* --peak: the traces at the peak, not the live ones */
  char **command; /* run: PROGRAM ARGS..., NULL-terminated */
  int ncommand;
} cli_options;

/* ---- Subcommands ---- */

/* A subcommand as the driver runs it. */
typedef struct cli_command {
  const char *name;
  const char *summary;  /* its line in 'tracemalloc --help' */
  const char *usage;    /* the whole 'tracemalloc NAME --help' */
  unsigned int options; /* the cli_option_mask of the options it accepts */
  /* The snapshot files it reads, named as in its usage ("FILE", or "NEW"
   * and "OLD"): the positional arguments, loaded by the driver. */
  const char *snapshots[2];
  int nsnapshot;
  /* Computes and prints from the loaded and filtered snapshots: 0, or an
   * exit status after the error message. */
  int (*run)(tracemalloc_snapshot *const *snapshots,
             const cli_options *options);
} cli_command;

extern const cli_command cli_top, cli_compare, cli_traceback, cli_display,
    cli_stats, cli_export, cli_run, cli_allocations;

/* Parts of the usage texts that several subcommands share. */
#define CLI_FILTER_OPTIONS_USAGE                                               \
  "  --include PATTERN[:LINE]  keep the traces whose most recent frame is "    \
  "in\n"                                                                       \
  "                            a file matching the fnmatch PATTERN (at "       \
  "LINE)\n"                                                                    \
  "  --exclude PATTERN[:LINE]  drop those traces\n"                            \
  "  --all-frames              --include/--exclude look at every frame\n"      \
  "  --domain N                keep the traces of domain N\n"                  \
  "  --exclude-domain N        drop the traces of domain N\n"

#define CLI_FILTER_USAGE                                                       \
  "filters (applied first; file filters keep a trace matching any --include\n" \
  "and no --exclude; domain filters likewise, "                                \
  "separately):\n" CLI_FILTER_OPTIONS_USAGE

#define CLI_KEY_USAGE                                                          \
  "  --key KEY     group the traces by KEY: lineno (the default; the most\n"   \
  "                recent frame), filename (its file) or traceback (all\n"     \
  "                the frames)\n"

#define CLI_CUMULATIVE_USAGE                                                   \
  "  --cumulative  count every frame of a traceback, not only the most\n"      \
  "                recent one (lineno and filename keys only)\n"

#define CLI_HELP_USAGE "  -h, --help    print this help and exit\n"

/* --peak: its help, after the option's name. */
#define CLI_PEAK_HELP "read the traces at the peak instead (TRACEMALLOC_PEAK)\n"
#define CLI_PEAK_USAGE "  --peak        " CLI_PEAK_HELP

/* ---- The command line (options.c) ---- */

enum { CLI_HELP = -1, CLI_OK = 0 };

/* Default options: key lineno, limit 10, nframe 25. */
cli_options cli_options_default(void);

/* Parse argv (the arguments after the subcommand's name) into options:
 * CLI_OK, CLI_HELP (-h or --help was given; nothing was printed), or an
 * exit status after the error message. Options not set keep the values
 * they had. */
int cli_parse(const cli_command *command, int argc, char **argv,
              cli_options *options);
void cli_options_fini(cli_options *options);

/* ---- Snapshots (snapshots.c), with progress on a terminal ---- */

/* Load a snapshot and apply the filters of the options; NULL after the
 * error message. */
tracemalloc_snapshot *cli_load(const char *path, const cli_options *options);

/* Snapshot.statistics(key_type, cumulative); NULL after the error
 * message. */
tracemalloc_statistics *cli_statistics(const tracemalloc_snapshot *snapshot,
                                       tracemalloc_key_type key_type,
                                       int cumulative);

/* The same with frames of different functions on one line apart
 * (tracemalloc_snapshot_statistics_by_function()): for the outputs that
 * name functions, not Python's. */
tracemalloc_statistics *
cli_statistics_by_function(const tracemalloc_snapshot *snapshot,
                           tracemalloc_key_type key_type);

/* Compute the statistics, print them and free them: print's status, or
 * EXIT_ERROR after the error message. */
typedef int (*cli_statistics_printer)(const tracemalloc_statistics *statistics,
                                      const cli_options *options);
int cli_print_statistics(const tracemalloc_snapshot *snapshot,
                         tracemalloc_key_type key_type, int cumulative,
                         cli_statistics_printer print,
                         const cli_options *options);

/* Print 'tracemalloc top' of a loaded snapshot (report.c; run uses it). */
int cli_print_top(const tracemalloc_snapshot *snapshot,
                  const cli_options *options);

/* ---- Progress on stderr (progress.c; only when stderr is a terminal and
 * a phase lasts more than a second) ---- */
void cli_progress_phase(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);

/* ---- Output (output.c) ---- */

/* "tracemalloc: error: ..." on stderr; returns EXIT_ERROR. */
__attribute__((format(printf, 1, 2))) int cli_fail(const char *fmt, ...);

/* Flush stdout and check that everything was written: 0 or EXIT_ERROR. */
int cli_finish_output(void);

/* Format with one of the snprintf-like functions of the API into a buffer
 * that grows as needed, then write it with a newline. 0 or EXIT_ERROR. */
typedef int (*cli_formatter)(char *buf, size_t bufsize, const void *object);
int cli_print_formatted(FILE *out, cli_formatter format, const void *object);

int cli_format_statistic(char *buf, size_t bufsize, const void *statistic);
int cli_format_statistic_diff(char *buf, size_t bufsize, const void *diff);

/* _format_size(size, False) into buf (at least 32 bytes). */
const char *cli_size(char *buf, size_t bufsize, size_t size);
/* timeline.c: the HTML report's chart of traced memory over time (nothing
 * when the snapshot has no timeline). */
void cli_write_timeline(FILE *out, const tracemalloc_snapshot *snapshot);
/* stats' line "timeline: N points over S s, peak SIZE (N bytes) at S s"
 * (nothing when the snapshot has no timeline). */
void cli_print_timeline_stats(const tracemalloc_snapshot *snapshot);

/* Nanoseconds as seconds, exactly: "S.NNNNNNNNN". */
typedef struct cli_seconds_text {
  char text[32];
} cli_seconds_text;
cli_seconds_text cli_seconds(uint64_t nanoseconds);

/* Writes a whole output file: 0, or an exit status after the message. */
typedef int (*cli_writer)(FILE *out, const tracemalloc_snapshot *snapshot,
                          const cli_options *options);

/* Write path with write: "-" is stdout (which the driver checks at the
 * end); a file appears whole or not at all (runtime/common/atomic_file.h),
 * and not when write fails. 0, or an exit status after the error
 * message. */
int cli_write_output(const char *path, cli_writer write,
                     const tracemalloc_snapshot *snapshot,
                     const cli_options *options);

/* ---- Numbers for interned objects (numbering.c) ----
 * Frames, strings and tracebacks are interned, so an address is an object:
 * a key is a pair of addresses (second NULL when one is enough), numbered
 * 0, 1, 2, ... in the order the keys are first met. */

typedef struct cli_numbering cli_numbering;
typedef struct cli_key {
  const void *first;
  const void *second;
} cli_key;

#define CLI_NO_NUMBER ((size_t)-1) /* out of memory */

cli_numbering *cli_numbering_new(void); /* NULL when out of memory */
void cli_numbering_free(cli_numbering *numbering);
/* The key's number, new or not; CLI_NO_NUMBER when out of memory. */
size_t cli_number(cli_numbering *numbering, const void *first,
                  const void *second);
size_t cli_numbering_count(const cli_numbering *numbering);
/* The keys by number, to free(); NULL when out of memory. */
cli_key *cli_numbering_keys(const cli_numbering *numbering);

/* ---- The formats of export ---- */

/* Write text as a JSON string literal, quotes included (json.c). Bytes
 * that are not UTF-8 become U+FFFD. With html_safe, '<', '>' and '&' are
 * escaped too. */
void cli_json_string(FILE *out, const char *text, int html_safe);

/* The JSON document of export --format json (json.c). */
int cli_write_json(FILE *out, const tracemalloc_snapshot *snapshot,
                   const cli_options *options);

/* The HTML report of export --format html (html.c). */
int cli_write_html(FILE *out, const tracemalloc_snapshot *snapshot,
                   const cli_options *options);

/* The gzipped profile.proto of export --format pprof (pprof.c). */
int cli_write_pprof(FILE *out, const tracemalloc_snapshot *snapshot,
                    const cli_options *options);

#endif /* TM_CLI_H */
