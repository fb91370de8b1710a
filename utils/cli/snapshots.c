/*
 * snapshots.c - the snapshots a subcommand reads: loaded, filtered and
 * grouped into statistics, with the step named on a terminal while it
 * runs (progress.c).
 *
 * A snapshot file is mapped, not read (snapshot_file.h): the command is
 * done with it in moments, and a 16 MB file loads several times faster.
 * Should the file be truncated meanwhile, its pages raise SIGBUS, which
 * becomes the usual one error line instead of a crash.
 */
#include "cli.h"
#include "snapshot_file.h"

#include <signal.h>
#include <unistd.h>

static void file_truncated(int signo) {
  (void)signo;
  static const char message[] =
      "tracemalloc: error: a snapshot file was truncated while in use\n";
  /* Only async-signal-safe calls here. */
  ssize_t written = write(STDERR_FILENO, message, sizeof(message) - 1);
  (void)written;
  _exit(EXIT_ERROR);
}

static void catch_truncation(void) {
  static int caught;
  if (caught)
    return;
  caught = 1;
  struct sigaction action = {.sa_handler = file_truncated};
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, NULL);
}

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
  catch_truncation();
  tracemalloc_snapshot *snapshot = tm_snapshot_load_mapped(path);
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
