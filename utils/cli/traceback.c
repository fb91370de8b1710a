/*
 * traceback.c - tracemalloc traceback: the biggest tracebacks, as the
 * example "Get the traceback of a memory block" of Python's tracemalloc
 * documentation prints them, each frame with its function as Python's
 * traceback module prints a stack.
 */
#include "cli.h"

static const char traceback_usage[] =
    "usage: tracemalloc traceback FILE [--limit N] [--most-recent-first] "
    "[FILTERS] [--peak]\n"
    "\n"
    "Print the biggest tracebacks of the snapshot FILE (statistics by\n"
    "traceback), each as in Python's documentation: \"N memory blocks:\n"
    "SIZE KiB\" and then its frames as Python's traceback module prints\n"
    "them, '  File \"FILE\", line N, in FUNCTION' (without \", in FUNCTION\"\n"
    "when the function is unknown), each followed by its source line when\n"
    "the file can be read. Frames of two functions on one line (C++\n"
    "template instances, macros) make different tracebacks. Tracebacks are\n"
    "separated by an empty line.\n"
    "\n"
    "options:\n"
    "  --limit N            print at most N tracebacks (default: 10)\n"
    "  --most-recent-first  print the most recent frame first\n"
    "  --peak               " CLI_PEAK_HELP
    "  -h, --help           print this help and exit\n"
    "\n" CLI_FILTER_USAGE;

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
    status = print_lines(tracemalloc_traceback_format_with_functions(
        statistic->traceback, 0, 0, options->most_recent_first, &nline));
  }
  return status;
}

static int traceback(tracemalloc_snapshot *const *snapshots,
                     const cli_options *options) {
  tracemalloc_statistics *statistics =
      cli_statistics_by_function(snapshots[0], TRACEMALLOC_KEY_TRACEBACK);
  if (!statistics)
    return EXIT_ERROR;
  int status = print_tracebacks(statistics, options);
  tracemalloc_statistics_free(statistics);
  return status;
}

const cli_command cli_traceback = {
    .name = "traceback",
    .summary = "print the biggest tracebacks, with their source lines",
    .usage = traceback_usage,
    .options = OPT_LIMIT | OPT_FILTERS | OPT_RECENT | OPT_PEAK,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = traceback,
};
