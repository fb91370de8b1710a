/*
 * snapshots.c - the snapshots a subcommand reads: loaded, filtered and
 * grouped into statistics, with the step named on a terminal while it
 * runs (progress.c).
 */
#include "cli.h"

static tracemalloc_snapshot *filtered(tracemalloc_snapshot *snapshot,
                                      const tracemalloc_filter *filters,
                                      size_t nfilter) {
  if (!snapshot || !nfilter)
    return snapshot;
  cli_progress_phase("filtering %zu traces",
                     tracemalloc_snapshot_trace_count(snapshot));
  tracemalloc_snapshot *result =
      tracemalloc_snapshot_filter_traces(snapshot, filters, nfilter);
  if (!result)
    cli_fail("%s", tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
  return result;
}

/* --peak: the snapshot of the traces at the peak that path carries. */
static tracemalloc_snapshot *at_peak(tracemalloc_snapshot *snapshot,
                                     const char *path) {
  tracemalloc_snapshot *peak = tracemalloc_snapshot_peak(snapshot);
  if (!peak)
    cli_fail("%s: %s", path, tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
  return peak;
}

tracemalloc_snapshot *cli_load(const char *path, const cli_options *options) {
  cli_progress_phase("loading %s", path);
  tracemalloc_snapshot *snapshot = tracemalloc_snapshot_load(path);
  if (!snapshot) {
    cli_fail("%s", tracemalloc_last_error());
    return NULL;
  }
  if (options->peak && !(snapshot = at_peak(snapshot, path)))
    return NULL;
  snapshot =
      filtered(snapshot, options->domain_filters, options->ndomain_filter);
  snapshot = filtered(snapshot, options->filters, options->nfilter);
  cli_progress_done();
  return snapshot;
}

typedef tracemalloc_statistics *(*statistics_function)(
    const tracemalloc_snapshot *snapshot, tracemalloc_key_type key_type,
    int cumulative);

static tracemalloc_statistics *grouped(statistics_function group,
                                       const tracemalloc_snapshot *snapshot,
                                       tracemalloc_key_type key_type,
                                       int cumulative) {
  cli_progress_phase("grouping %zu traces",
                     tracemalloc_snapshot_trace_count(snapshot));
  tracemalloc_statistics *statistics = group(snapshot, key_type, cumulative);
  cli_progress_done();
  if (!statistics)
    cli_fail("%s", tracemalloc_last_error());
  return statistics;
}

tracemalloc_statistics *cli_statistics(const tracemalloc_snapshot *snapshot,
                                       tracemalloc_key_type key_type,
                                       int cumulative) {
  return grouped(tracemalloc_snapshot_statistics, snapshot, key_type,
                 cumulative);
}

tracemalloc_statistics *
cli_statistics_by_function(const tracemalloc_snapshot *snapshot,
                           tracemalloc_key_type key_type) {
  return grouped(tracemalloc_snapshot_statistics_by_function, snapshot,
                 key_type, 0);
}

int cli_print_statistics(const tracemalloc_snapshot *snapshot,
                         tracemalloc_key_type key_type, int cumulative,
                         cli_statistics_printer print,
                         const cli_options *options) {
  tracemalloc_statistics *statistics =
      cli_statistics(snapshot, key_type, cumulative);
  if (!statistics)
    return EXIT_ERROR;
  int status = print(statistics, options);
  tracemalloc_statistics_free(statistics);
  return status;
}
