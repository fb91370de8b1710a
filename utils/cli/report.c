/*
 * report.c - the text reports: top, compare, traceback, display, stats.
 *
 * top and compare print what Python prints for str(Statistic) and
 * str(StatisticDiff); traceback and display print what the examples of
 * Python's tracemalloc documentation print ("Get the traceback of a memory
 * block" and "Pretty top").
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_USAGE                                                           \
  "filters (applied first; file filters keep a trace matching any --include\n" \
  "and no --exclude; domain filters likewise, separately):\n"                  \
  "  --include PATTERN[:LINE]  keep the traces whose most recent frame is "    \
  "in\n"                                                                       \
  "                            a file matching the fnmatch PATTERN (at "       \
  "LINE)\n"                                                                    \
  "  --exclude PATTERN[:LINE]  drop those traces\n"                            \
  "  --all-frames              --include/--exclude look at every frame\n"      \
  "  --domain N                keep the traces of domain N\n"                  \
  "  --exclude-domain N        drop the traces of domain N\n"

#define KEY_USAGE                                                              \
  "  --key KEY     group the traces by KEY: lineno (the default; the most\n"   \
  "                recent frame), filename (its file) or traceback (all\n"     \
  "                the frames)\n"

#define CUMULATIVE_USAGE                                                       \
  "  --cumulative  count every frame of a traceback, not only the most\n"      \
  "                recent one (lineno and filename keys only)\n"

#define HELP_USAGE "  -h, --help    print this help and exit\n"

enum {
  REPORT_OPTIONS = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS,
};

static int run_spec(const cli_spec *spec, int argc, char **argv,
                    int (*report)(const cli_options *options)) {
  cli_options options = cli_options_default();
  int status = cli_parse(spec, argc, argv, &options);
  if (status == CLI_HELP)
    status = cli_finish_output();
  else if (status == CLI_OK)
    status = report(&options);
  cli_options_fini(&options);
  return status;
}

/* ---- top ---- */

static const cli_spec top_spec = {
    "top",
    "usage: tracemalloc top FILE [--key lineno|filename|traceback] "
    "[--cumulative] [--limit N] [FILTERS]\n"
    "\n"
    "Print the statistics of the snapshot FILE, biggest first, as Python's\n"
    "Snapshot.statistics() and str(Statistic) give them.\n"
    "\n"
    "options:\n" KEY_USAGE CUMULATIVE_USAGE
    "  --limit N     print at most N statistics (default: 10)\n" HELP_USAGE
    "\n" FILTER_USAGE,
    REPORT_OPTIONS,
    {"FILE", NULL},
    1};

int cli_print_top(const tracemalloc_snapshot *snapshot,
                  const cli_options *options) {
  tracemalloc_statistics *statistics = cli_statistics(snapshot, options);
  if (!statistics)
    return EXIT_ERROR;
  int status = 0;
  printf("[ Top %zu ]\n", options->limit);
  for (size_t i = 0; i < statistics->count && i < options->limit && !status;
       i++)
    status = cli_print_formatted(stdout, cli_format_statistic,
                                 &statistics->items[i]);
  tracemalloc_statistics_free(statistics);
  return status;
}

static int top(const cli_options *options) {
  tracemalloc_snapshot *snapshot = cli_load(options->paths[0], options);
  if (!snapshot)
    return EXIT_ERROR;
  /* The tracer ran out of memory for some traces: the sizes are low. */
  uint64_t lost = tracemalloc_snapshot_lost_traces(snapshot);
  if (lost)
    fprintf(stderr,
            "tracemalloc: warning: %llu allocations could not be traced "
            "(lost_traces): the sizes are lower than the truth\n",
            (unsigned long long)lost);
  int status = cli_print_top(snapshot, options);
  tracemalloc_snapshot_free(snapshot);
  return status ? status : cli_finish_output();
}

int cli_run_top(int argc, char **argv) {
  return run_spec(&top_spec, argc, argv, top);
}

/* ---- compare ---- */

static const cli_spec compare_spec = {
    "compare",
    "usage: tracemalloc compare NEW OLD [--key lineno|filename|traceback] "
    "[--cumulative] [--limit N] [FILTERS]\n"
    "\n"
    "Compare the snapshot NEW with the older snapshot OLD: print the groups\n"
    "whose size changed most first, as Python's NEW.compare_to(OLD, key) and\n"
    "str(StatisticDiff) give them.\n"
    "\n"
    "options:\n" KEY_USAGE CUMULATIVE_USAGE
    "  --limit N     print at most N differences (default: 10)\n" HELP_USAGE
    "\n" FILTER_USAGE "The filters apply to both snapshots.\n",
    REPORT_OPTIONS,
    {"NEW", "OLD"},
    2};

static int print_diffs(const tracemalloc_snapshot *new_snapshot,
                       const tracemalloc_snapshot *old_snapshot,
                       const cli_options *options) {
  cli_progress_phase("comparing");
  tracemalloc_statistic_diffs *diffs = tracemalloc_snapshot_compare_to(
      new_snapshot, old_snapshot, options->key_type, options->cumulative);
  cli_progress_done();
  if (!diffs)
    return cli_fail("%s", tracemalloc_last_error());
  int status = 0;
  printf("[ Top %zu differences ]\n", options->limit);
  for (size_t i = 0; i < diffs->count && i < options->limit && !status; i++)
    status = cli_print_formatted(stdout, cli_format_statistic_diff,
                                 &diffs->items[i]);
  tracemalloc_statistic_diffs_free(diffs);
  return status;
}

static int compare(const cli_options *options) {
  tracemalloc_snapshot *new_snapshot = cli_load(options->paths[0], options);
  if (!new_snapshot)
    return EXIT_ERROR;
  tracemalloc_snapshot *old_snapshot = cli_load(options->paths[1], options);
  int status = EXIT_ERROR;
  if (old_snapshot) {
    status = print_diffs(new_snapshot, old_snapshot, options);
    tracemalloc_snapshot_free(old_snapshot);
  }
  tracemalloc_snapshot_free(new_snapshot);
  return status ? status : cli_finish_output();
}

int cli_run_compare(int argc, char **argv) {
  return run_spec(&compare_spec, argc, argv, compare);
}

/* ---- traceback ---- */

static const cli_spec traceback_spec = {
    "traceback",
    "usage: tracemalloc traceback FILE [--limit N] [--most-recent-first] "
    "[FILTERS]\n"
    "\n"
    "Print the biggest tracebacks of the snapshot FILE (statistics by\n"
    "traceback), each as in Python's documentation: \"N memory blocks:\n"
    "SIZE KiB\" and then the lines of Traceback.format(), with the source\n"
    "lines when the files can be read. Tracebacks are separated by an empty\n"
    "line.\n"
    "\n"
    "options:\n"
    "  --limit N            print at most N tracebacks (default: 10)\n"
    "  --most-recent-first  print the most recent frame first\n"
    "  -h, --help           print this help and exit\n"
    "\n" FILTER_USAGE,
    OPT_LIMIT | OPT_FILTERS | OPT_RECENT,
    {"FILE", NULL},
    1};

static int print_lines(char **lines) {
  if (!lines)
    return cli_fail("%s", tracemalloc_last_error());
  for (char **line = lines; *line; line++)
    puts(*line);
  tracemalloc_lines_free(lines);
  return 0;
}

static int print_tracebacks(const tracemalloc_statistics *statistics,
                            const cli_options *options) {
  int status = 0;
  for (size_t i = 0; i < statistics->count && i < options->limit && !status;
       i++) {
    const tracemalloc_statistic *statistic = &statistics->items[i];
    if (i > 0)
      putchar('\n');
    printf("%zu memory blocks: %.1f KiB\n", statistic->count,
           (double)statistic->size / 1024);
    size_t nline;
    status = print_lines(tracemalloc_traceback_format(
        statistic->traceback, 0, 0, options->most_recent_first, &nline));
  }
  return status;
}

static int traceback(const cli_options *options) {
  tracemalloc_snapshot *snapshot = cli_load(options->paths[0], options);
  if (!snapshot)
    return EXIT_ERROR;
  int status = EXIT_ERROR;
  tracemalloc_statistics *statistics = cli_statistics(snapshot, options);
  if (statistics) {
    status = print_tracebacks(statistics, options);
    tracemalloc_statistics_free(statistics);
  }
  tracemalloc_snapshot_free(snapshot);
  return status ? status : cli_finish_output();
}

int cli_run_traceback(int argc, char **argv) {
  cli_options options = cli_options_default();
  int status = cli_parse(&traceback_spec, argc, argv, &options);
  options.key_type = TRACEMALLOC_KEY_TRACEBACK;
  if (status == CLI_HELP)
    status = cli_finish_output();
  else if (status == CLI_OK)
    status = traceback(&options);
  cli_options_fini(&options);
  return status;
}

/* ---- display ---- */

static const cli_spec display_spec = {
    "display",
    "usage: tracemalloc display FILE [--key lineno|filename|traceback] "
    "[--limit N] [FILTERS]\n"
    "\n"
    "Print the \"pretty top\" of Python's documentation (display_top()):\n"
    "\"Top N lines\", then \"#I: FILE:LINE: SIZE KiB\" for each of the N\n"
    "biggest groups with its source line under it, the number and size of\n"
    "the other groups, and the total size. Unlike the documentation's\n"
    "example, no trace is filtered out unless filters are given.\n"
    "\n"
    "options:\n" KEY_USAGE
    "                (a group is shown by the oldest frame of its key)\n"
    "  --limit N     print at most N groups (default: 10)\n" HELP_USAGE
    "\n" FILTER_USAGE,
    OPT_KEY | OPT_LIMIT | OPT_FILTERS,
    {"FILE", NULL},
    1};

/* linecache.getline(frame.filename, frame.lineno).strip() for the oldest
 * frame of a traceback, through Traceback.format(): "    SOURCE" or NULL. */
static int print_source_line(const tracemalloc_traceback *traceback) {
  unsigned int nframe = traceback->nframe;
  size_t nline;
  char **lines = tracemalloc_traceback_format(traceback, nframe > 1,
                                              -(int)(nframe - 1), 0, &nline);
  if (!lines)
    return cli_fail("%s", tracemalloc_last_error());
  if (nline > 1)
    puts(lines[1]);
  tracemalloc_lines_free(lines);
  return 0;
}

static int print_display_entry(size_t index,
                               const tracemalloc_statistic *statistic) {
  const tracemalloc_frame *frame = statistic->traceback->frames[0];
  printf("#%zu: %s:%u: %.1f KiB\n", index, frame->filename, frame->lineno,
         (double)statistic->size / 1024);
  return print_source_line(statistic->traceback);
}

static int print_display(const tracemalloc_statistics *statistics,
                         size_t limit) {
  printf("Top %zu lines\n", limit);
  int status = 0;
  size_t i;
  for (i = 0; i < statistics->count && i < limit && !status; i++)
    status = print_display_entry(i + 1, &statistics->items[i]);
  uint64_t other = 0, total = 0;
  for (size_t j = 0; j < statistics->count; j++) {
    total += statistics->items[j].size;
    if (j >= limit)
      other += statistics->items[j].size;
  }
  if (statistics->count > limit)
    printf("%zu other: %.1f KiB\n", statistics->count - limit,
           (double)other / 1024);
  printf("Total allocated size: %.1f KiB\n", (double)total / 1024);
  return status;
}

static int display(const cli_options *options) {
  tracemalloc_snapshot *snapshot = cli_load(options->paths[0], options);
  if (!snapshot)
    return EXIT_ERROR;
  int status = EXIT_ERROR;
  tracemalloc_statistics *statistics = cli_statistics(snapshot, options);
  if (statistics) {
    status = print_display(statistics, options->limit);
    tracemalloc_statistics_free(statistics);
  }
  tracemalloc_snapshot_free(snapshot);
  return status ? status : cli_finish_output();
}

int cli_run_display(int argc, char **argv) {
  return run_spec(&display_spec, argc, argv, display);
}

/* ---- stats ---- */

static const cli_spec stats_spec = {
    "stats",
    "usage: tracemalloc stats FILE [FILTERS]\n"
    "\n"
    "Print the totals of the snapshot FILE, one \"name: value\" per line:\n"
    "  traceback_limit  the traceback limit the program was traced with\n"
    "  lost_traces      allocations the tracer could not record\n"
    "  traces           traces (live memory blocks)\n"
    "  tracebacks       distinct tracebacks (as Python compares them)\n"
    "  frames           distinct frames (file and line)\n"
    "  files            distinct files\n"
    "  size             the total size of the traces: formatted, in bytes\n"
    "  domain N         size and traces of each domain, by domain number\n"
    "\n"
    "options:\n"
    "  -h, --help  print this help and exit\n"
    "\n" FILTER_USAGE,
    OPT_FILTERS,
    {"FILE", NULL},
    1};

typedef struct domain_total {
  unsigned int domain;
  int used;
  uint64_t size;
  size_t count;
} domain_total;

/* Open addressing on the domain number, grown at half full. */
typedef struct domain_table {
  domain_total *slots;
  size_t mask, used;
} domain_table;

static domain_total *domain_slot(domain_table *table, unsigned int domain) {
  size_t i = (domain * (size_t)0x9e3779b97f4a7c15ULL) & table->mask;
  while (table->slots[i].used && table->slots[i].domain != domain)
    i = (i + 1) & table->mask;
  return &table->slots[i];
}

static int domain_table_grow(domain_table *table) {
  domain_table bigger = {calloc(2 * (table->mask + 1), sizeof(domain_total)),
                         2 * table->mask + 1, table->used};
  if (!bigger.slots)
    return -1;
  for (size_t i = 0; table->slots && i <= table->mask; i++) {
    if (table->slots[i].used)
      *domain_slot(&bigger, table->slots[i].domain) = table->slots[i];
  }
  free(table->slots);
  *table = bigger;
  return 0;
}

static int domain_add(domain_table *table, const tracemalloc_trace *trace) {
  domain_total *slot = domain_slot(table, trace->domain);
  if (!slot->used) {
    if (2 * (table->used + 1) > table->mask + 1) {
      if (domain_table_grow(table) < 0)
        return -1;
      slot = domain_slot(table, trace->domain);
    }
    slot->used = 1;
    slot->domain = trace->domain;
    table->used++;
  }
  slot->size += trace->size;
  slot->count++;
  return 0;
}

static int compare_domains(const void *a, const void *b) {
  const domain_total *x = a, *y = b;
  if (x->used != y->used)
    return y->used - x->used;
  return (x->domain > y->domain) - (x->domain < y->domain);
}

static void print_domain(const domain_total *total) {
  char text[64];
  printf("domain %u: size=%s (%llu bytes), traces=%zu\n", total->domain,
         cli_size(text, sizeof(text), total->size),
         (unsigned long long)total->size, total->count);
}

static int print_domains(const tracemalloc_snapshot *snapshot) {
  domain_table table = {calloc(8, sizeof(domain_total)), 7, 0};
  size_t ntrace = tracemalloc_snapshot_trace_count(snapshot);
  uint64_t total = 0;
  for (size_t i = 0; i < ntrace && table.slots; i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    total += trace->size;
    if (domain_add(&table, trace) < 0) {
      free(table.slots);
      table.slots = NULL;
    }
  }
  if (!table.slots)
    return cli_fail("out of memory");
  qsort(table.slots, table.mask + 1, sizeof(domain_total), compare_domains);
  char text[64];
  printf("size: %s (%llu bytes)\n", cli_size(text, sizeof(text), total),
         (unsigned long long)total);
  for (size_t i = 0; i < table.used; i++)
    print_domain(&table.slots[i]);
  free(table.slots);
  return 0;
}

/* The number of groups of a statistics key: distinct tracebacks, frames
 * (lineno, cumulative) and files (filename, cumulative). */
static int count_groups(const tracemalloc_snapshot *snapshot,
                        tracemalloc_key_type key_type, int cumulative,
                        const char *name) {
  cli_options options = cli_options_default();
  options.key_type = key_type;
  options.cumulative = cumulative;
  tracemalloc_statistics *statistics = cli_statistics(snapshot, &options);
  if (!statistics)
    return EXIT_ERROR;
  printf("%s: %zu\n", name, statistics->count);
  tracemalloc_statistics_free(statistics);
  return 0;
}

static int print_stats(const tracemalloc_snapshot *snapshot) {
  printf("traceback_limit: %u\n",
         tracemalloc_snapshot_traceback_limit(snapshot));
  printf("lost_traces: %llu\n",
         (unsigned long long)tracemalloc_snapshot_lost_traces(snapshot));
  printf("traces: %zu\n", tracemalloc_snapshot_trace_count(snapshot));
  int status =
      count_groups(snapshot, TRACEMALLOC_KEY_TRACEBACK, 0, "tracebacks");
  if (!status)
    status = count_groups(snapshot, TRACEMALLOC_KEY_LINENO, 1, "frames");
  if (!status)
    status = count_groups(snapshot, TRACEMALLOC_KEY_FILENAME, 1, "files");
  if (!status)
    status = print_domains(snapshot);
  return status;
}

static int stats(const cli_options *options) {
  tracemalloc_snapshot *snapshot = cli_load(options->paths[0], options);
  if (!snapshot)
    return EXIT_ERROR;
  int status = print_stats(snapshot);
  tracemalloc_snapshot_free(snapshot);
  return status ? status : cli_finish_output();
}

int cli_run_stats(int argc, char **argv) {
  return run_spec(&stats_spec, argc, argv, stats);
}
