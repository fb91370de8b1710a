/*
 * report.c - the reports of one snapshot's statistics: top (the biggest
 * groups, as str(Statistic) prints them) and stats (the totals).
 */
#include "cli.h"

#include "arena.h"
#include "hash_table.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- top ---- */

static const char top_usage[] =
    "usage: tracemalloc top FILE [--key lineno|filename|traceback] "
    "[--cumulative] [--limit N] [FILTERS] [--peak]\n"
    "\n"
    "Print the statistics of the snapshot FILE, biggest first, as Python's\n"
    "Snapshot.statistics() and str(Statistic) give them.\n"
    "\n"
    "options:\n" CLI_KEY_USAGE CLI_CUMULATIVE_USAGE CLI_PEAK_USAGE
    "  --limit N     print at most N statistics (default: 10)\n" CLI_HELP_USAGE
    "\n" CLI_FILTER_USAGE;

static int print_top(const tracemalloc_statistics *statistics,
                     const cli_options *options) {
  int status = 0;
  printf("[ Top %zu ]\n", options->limit);
  for (size_t i = 0; i < statistics->count && i < options->limit && !status;
       i++)
    status = cli_print_formatted(stdout, cli_format_statistic,
                                 &statistics->items[i]);
  return status;
}

int cli_print_top(const tracemalloc_snapshot *snapshot,
                  const cli_options *options) {
  return cli_print_statistics(snapshot, options->key_type, options->cumulative,
                              print_top, options);
}

static int top(tracemalloc_snapshot *const *snapshots,
               const cli_options *options) {
  /* The tracer ran out of memory for some traces: the sizes are low. */
  uint64_t lost = tracemalloc_snapshot_lost_traces(snapshots[0]);
  if (lost)
    fprintf(stderr,
            "tracemalloc: warning: %llu allocations could not be traced "
            "(lost_traces): the sizes are lower than the truth\n",
            (unsigned long long)lost);
  return cli_print_top(snapshots[0], options);
}

const cli_command cli_top = {
    .name = "top",
    .summary = "print the biggest groups of traces of a snapshot",
    .usage = top_usage,
    .options = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS | OPT_PEAK,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = top,
};

/* ---- stats ---- */

static const char stats_usage[] =
    "usage: tracemalloc stats FILE [FILTERS] [--peak]\n"
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
    "  peak             the peak of traced memory when the snapshot was taken\n"
    "  peak_traces      traces kept at the peak (TRACEMALLOC_PEAK)\n"
    "  peak_size        their total size: formatted, in bytes\n"
    "  timeline         traced memory over time: its points, how long it\n"
    "                   runs, its peak and when\n"
    "(the last four when the snapshot has them)\n"
    "\n"
    "options:\n" CLI_PEAK_USAGE "  -h, --help    print this help and exit\n"
    "\n" CLI_FILTER_USAGE;

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

/* The peak the snapshot records, and the traces kept at it (peak.c). */
static int print_peak(const tracemalloc_snapshot *snapshot) {
  size_t peak;
  if (tracemalloc_snapshot_traced_peak(snapshot, &peak) < 0)
    return 0;
  char text[64];
  printf("peak: %s (%zu bytes)\n", cli_size(text, sizeof(text), peak), peak);
  tracemalloc_snapshot *kept = tracemalloc_snapshot_peak(snapshot);
  if (!kept)
    return 0;
  size_t ntrace = tracemalloc_snapshot_trace_count(kept);
  uint64_t size = 0;
  for (size_t i = 0; i < ntrace; i++)
    size += tracemalloc_snapshot_trace(kept, i)->size;
  printf("peak_traces: %zu\n", ntrace);
  printf("peak_size: %s (%llu bytes)\n", cli_size(text, sizeof(text), size),
         (unsigned long long)size);
  tracemalloc_snapshot_free(kept);
  return 0;
}

/* The number of groups of a statistics key: distinct tracebacks, frames
 * (lineno, cumulative) and files (filename, cumulative). */
static int count_groups(const tracemalloc_snapshot *snapshot,
                        tracemalloc_key_type key_type, int cumulative,
                        const char *name) {
  tracemalloc_statistics *statistics =
      cli_statistics(snapshot, key_type, cumulative);
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
  if (!status)
    status = print_peak(snapshot);
  cli_print_timeline_stats(snapshot);
  return status;
}

static int stats(tracemalloc_snapshot *const *snapshots,
                 const cli_options *options) {
  (void)options;
  return print_stats(snapshots[0]);
}

const cli_command cli_stats = {
    .name = "stats",
    .summary = "print the totals of a snapshot",
    .usage = stats_usage,
    .options = OPT_FILTERS | OPT_PEAK,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = stats,
};
