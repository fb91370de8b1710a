/*
 * report.c - the reports of one snapshot's statistics: top (the biggest
 * groups, as str(Statistic) prints them) and stats (the totals).
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- top ---- */

static const char top_usage[] =
    "usage: tracemalloc top FILE [--key lineno|filename|traceback] "
    "[--cumulative] [--limit N] [FILTERS]\n"
    "\n"
    "Print the statistics of the snapshot FILE, biggest first, as Python's\n"
    "Snapshot.statistics() and str(Statistic) give them.\n"
    "\n"
    "options:\n" CLI_KEY_USAGE CLI_CUMULATIVE_USAGE
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
    .options = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = top,
};

/* ---- stats ---- */

static const char stats_usage[] =
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
    "\n" CLI_FILTER_USAGE;

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
    .options = OPT_FILTERS,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = stats,
};
