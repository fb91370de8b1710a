/*
 * compare.c - tracemalloc compare: the biggest differences between two
 * snapshots, as Python's NEW.compare_to(OLD, key) and str(StatisticDiff)
 * give them.
 */
#include "cli.h"

static const char compare_usage[] =
    "usage: tracemalloc compare NEW OLD [--key lineno|filename|traceback] "
    "[--cumulative] [--limit N] [FILTERS] [--peak]\n"
    "\n"
    "Compare the snapshot NEW with the older snapshot OLD: print the groups\n"
    "whose size changed most first, as Python's NEW.compare_to(OLD, key) and\n"
    "str(StatisticDiff) give them.\n"
    "\n"
    "options:\n" CLI_KEY_USAGE CLI_CUMULATIVE_USAGE CLI_PEAK_USAGE
    "  --limit N     print at most N differences (default: 10)\n" CLI_HELP_USAGE
    "\n" CLI_FILTER_USAGE "The filters apply to both snapshots.\n";

static int compare(tracemalloc_snapshot *const *snapshots,
                   const cli_options *options) {
  cli_progress_phase("comparing");
  tracemalloc_statistic_diffs *diffs = tracemalloc_snapshot_compare_to(
      snapshots[0], snapshots[1], options->key_type, options->cumulative);
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

const cli_command cli_compare = {
    .name = "compare",
    .summary = "print the biggest differences between two snapshots",
    .usage = compare_usage,
    .options = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS | OPT_PEAK,
    .snapshots = {"NEW", "OLD"},
    .nsnapshot = 2,
    .run = compare,
};
