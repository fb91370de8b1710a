/*
 * allocations.c - tracemalloc allocations: the allocation counters of a
 * snapshot (allocations, bytes allocated, temporary allocations per
 * traceback), grouped as top groups traces.
 */
#include "cli.h"

static const char allocations_usage[] =
    "usage: tracemalloc allocations FILE [--key lineno|filename|traceback] "
    "[--sort allocated|allocations|temporary] [--limit N] [FILTERS]\n"
    "\n"
    "Print the allocation counters of the snapshot FILE, one line per group,\n"
    "biggest first: the blocks allocated while tracing, freed or not, their\n"
    "bytes in all, and the temporary ones (freed before the thread that\n"
    "allocated them allocated anything else).\n"
    "\n"
    "options:\n"
    "  --key KEY     group the counters by KEY: lineno (the default; the "
    "most\n"
    "                recent frame), filename (its file) or traceback (all\n"
    "                the frames)\n"
    "  --sort WHAT   biggest first by WHAT: allocated (the default, bytes),\n"
    "                allocations or temporary\n"
    "  --limit N     print at most N groups (default: 10)\n" CLI_HELP_USAGE "\n"
    "filters (applied first; a traceback's counters are kept when it "
    "matches\n"
    "any --include and no --exclude; counters have no domain, so --domain\n"
    "and --exclude-domain keep them all):\n" CLI_FILTER_OPTIONS_USAGE;

static int format_allocation(char *buf, size_t bufsize, const void *item) {
  return tracemalloc_allocation_statistic_format(buf, bufsize, item);
}

static int allocations(tracemalloc_snapshot *const *snapshots,
                       const cli_options *options) {
  if (!tracemalloc_snapshot_has_allocation_counts(snapshots[0]))
    return cli_fail("%s: the snapshot has no allocation counters (written "
                    "before .tms version 3, or without tracing)",
                    options->paths[0]);
  tracemalloc_allocation_statistics *statistics =
      tracemalloc_snapshot_allocations(snapshots[0], options->key_type,
                                       options->sort);
  if (!statistics)
    return cli_fail("%s", tracemalloc_last_error());
  int status = 0;
  for (size_t i = 0; i < statistics->count && i < options->limit && !status;
       i++)
    status =
        cli_print_formatted(stdout, format_allocation, &statistics->items[i]);
  tracemalloc_allocation_statistics_free(statistics);
  return status;
}

const cli_command cli_allocations = {
    .name = "allocations",
    .summary = "print the allocation counters of a snapshot, by group",
    .usage = allocations_usage,
    .options = OPT_KEY | OPT_SORT | OPT_LIMIT | OPT_FILTERS,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = allocations,
};
