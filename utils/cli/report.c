/*
 * report.c - the text reports: top, compare, traceback, display, stats.
 *
 * top and compare print what Python prints for str(Statistic) and
 * str(StatisticDiff); traceback and display print what the examples of
 * Python's tracemalloc documentation print ("Get the traceback of a memory
 * block" and "Pretty top").
 */
#include "cli.h"

#include "arena.h"
#include "hash_table.h"

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
  uint64_t size;
  size_t count;
} domain_total;

/* The totals by domain number, in the runtime's hash table (hash_table.h);
 * the totals themselves live in the arena. */
typedef struct domain_totals {
  tm_hash_table table; /* of domain_total */
  tm_arena arena;
} domain_totals;

static int same_domain(const void *entry, const void *key) {
  return ((const domain_total *)entry)->domain == *(const unsigned int *)key;
}

static int domain_add(domain_totals *totals, const tracemalloc_trace *trace) {
  uint64_t hash = tm_hash_integer(trace->domain);
  tm_hash_slot *slot =
      tm_hash_table_find(&totals->table, hash, same_domain, &trace->domain);
  domain_total *total = slot->entry;
  if (!total) {
    total = tm_arena_alloc(&totals->arena, sizeof(*total));
    if (!total || tm_hash_table_insert(&totals->table, slot, hash, total) < 0)
      return -1;
    *total = (domain_total){trace->domain, 0, 0};
  }
  total->size += trace->size;
  total->count++;
  return 0;
}

static int compare_domains(const void *a, const void *b) {
  const domain_total *x = *(const domain_total *const *)a;
  const domain_total *y = *(const domain_total *const *)b;
  return (x->domain > y->domain) - (x->domain < y->domain);
}

static void print_domain(const domain_total *total) {
  char text[64];
  printf("domain %u: size=%s (%llu bytes), traces=%zu\n", total->domain,
         cli_size(text, sizeof(text), total->size),
         (unsigned long long)total->size, total->count);
}

/* The totals of every domain, by domain number: NULL when out of memory. */
static domain_total **sorted_domains(const domain_totals *totals) {
  domain_total **sorted = malloc((totals->table.used + 1) * sizeof(*sorted));
  if (!sorted)
    return NULL;
  size_t n = 0;
  for (tm_hash_slot *slot = tm_hash_table_next(&totals->table, NULL); slot;
       slot = tm_hash_table_next(&totals->table, slot))
    sorted[n++] = slot->entry;
  qsort(sorted, n, sizeof(*sorted), compare_domains);
  return sorted;
}

static int print_domains(const tracemalloc_snapshot *snapshot) {
  domain_totals totals = {0};
  int ok = tm_hash_table_init(&totals.table, 8, &tm_raw_allocator) == 0;
  size_t ntrace = tracemalloc_snapshot_trace_count(snapshot);
  uint64_t total = 0;
  for (size_t i = 0; i < ntrace && ok; i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    total += trace->size;
    ok = domain_add(&totals, trace) == 0;
  }
  domain_total **sorted = ok ? sorted_domains(&totals) : NULL;
  if (sorted) {
    char text[64];
    printf("size: %s (%llu bytes)\n", cli_size(text, sizeof(text), total),
           (unsigned long long)total);
    for (size_t i = 0; i < totals.table.used; i++)
      print_domain(sorted[i]);
  }
  free(sorted);
  tm_hash_table_fini(&totals.table);
  tm_arena_free(&totals.arena);
  return sorted ? 0 : cli_fail("out of memory");
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
