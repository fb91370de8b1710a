/*
 * cli.h - what the files of the tracemalloc command-line tool share.
 *
 * utils/tracemalloc.c has main() and the table of subcommands; each
 * subcommand family lives in a file of its own here (report.c: top,
 * compare, traceback, display, stats; export.c and html.c: export; run.c:
 * run). options.c parses the command line of every subcommand into one
 * cli_options, with the options a subcommand accepts named by a mask.
 */
#ifndef TM_CLI_H
#define TM_CLI_H

#include "tracemalloc.h"

#include <stddef.h>
#include <stdio.h>

enum { EXIT_ERROR = 2 };

/* "tracemalloc: error: ..." on stderr; returns EXIT_ERROR. */
__attribute__((format(printf, 1, 2))) int cli_fail(const char *fmt, ...);

/* Flush stdout and check that everything was written: 0 or EXIT_ERROR. */
int cli_finish_output(void);

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
} cli_option_mask;

typedef enum cli_format {
  FORMAT_NONE,
  FORMAT_PICKLE,
  FORMAT_COLLAPSED,
  FORMAT_JSON,
  FORMAT_HTML,
} cli_format;

/* What a subcommand accepts. */
typedef struct cli_spec {
  const char *name;
  const char *usage; /* the whole --help text */
  unsigned int options;
  /* Names of the positional arguments ("FILE", or "NEW" and "OLD"). */
  const char *positionals[2];
  int npositional;
} cli_spec;

typedef struct cli_options {
  const char *paths[2];
  int npath;
  tracemalloc_key_type key_type;
  int cumulative;
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
  char **command; /* run: PROGRAM ARGS..., NULL-terminated */
  int ncommand;
} cli_options;

enum { CLI_HELP = -1, CLI_OK = 0 };

/* Parse argv (the arguments after the subcommand's name): CLI_OK, CLI_HELP
 * (the usage was printed; exit with the returned status of
 * cli_finish_output()), or an exit status after the error message.
 * Options not set keep the values they had. */
int cli_parse(const cli_spec *spec, int argc, char **argv,
              cli_options *options);
void cli_options_fini(cli_options *options);

/* Default options: key lineno, limit 10, nframe 25. */
cli_options cli_options_default(void);

/* Load a snapshot and apply the filters of the options; NULL after the
 * error message. Shows progress on a terminal. */
tracemalloc_snapshot *cli_load(const char *path, const cli_options *options);

/* The statistics of options->key_type / cumulative, NULL after the error
 * message. */
tracemalloc_statistics *cli_statistics(const tracemalloc_snapshot *snapshot,
                                       const cli_options *options);

/* ---- Progress on stderr (only when stderr is a terminal and a phase
 * lasts more than a second) ---- */
void cli_progress_phase(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);

/* ---- Text ---- */

/* Format with one of the snprintf-like functions of the API into a buffer
 * that grows as needed, then write it with a newline. 0 or EXIT_ERROR. */
typedef int (*cli_formatter)(char *buf, size_t bufsize, const void *object);
int cli_print_formatted(FILE *out, cli_formatter format, const void *object);

int cli_format_statistic(char *buf, size_t bufsize, const void *statistic);
int cli_format_statistic_diff(char *buf, size_t bufsize, const void *diff);

/* _format_size(size, False) into buf (at least 32 bytes). */
const char *cli_size(char *buf, size_t bufsize, size_t size);

/* ---- Output files: written to a temporary file and renamed ("-" is
 * stdout) ---- */
typedef struct cli_output {
  FILE *file;
  const char *path;
  char *temporary; /* NULL for stdout */
} cli_output;

int cli_output_open(cli_output *output, const char *path);
/* Closes and renames, or removes the temporary file when status != 0.
 * Returns status, or EXIT_ERROR if writing failed. */
int cli_output_close(cli_output *output, int status);

/* ---- Subcommands ---- */
int cli_run_top(int argc, char **argv);
int cli_run_compare(int argc, char **argv);
int cli_run_traceback(int argc, char **argv);
int cli_run_display(int argc, char **argv);
int cli_run_stats(int argc, char **argv);
int cli_run_export(int argc, char **argv);
int cli_run_run(int argc, char **argv);

/* Print top for an already loaded snapshot (used by run). */
int cli_print_top(const tracemalloc_snapshot *snapshot,
                  const cli_options *options);

/* The HTML report (html.c). */
int cli_write_html(FILE *out, const tracemalloc_snapshot *snapshot,
                   const cli_options *options);

/* Write text as a JSON string literal, quotes included. Bytes that are not
 * UTF-8 become U+FFFD. With html_safe, '<', '>' and '&' are escaped too. */
void cli_json_string(FILE *out, const char *text, int html_safe);

#endif /* TM_CLI_H */
