/*
 * display.c - tracemalloc display: the "Pretty top" example of Python's
 * tracemalloc documentation (display_top()).
 */
#include "cli.h"

#include <stdint.h>

static const char display_usage[] =
    "usage: tracemalloc display FILE [--key lineno|filename|traceback] "
    "[--limit N] [FILTERS] [--peak]\n"
    "\n"
    "Print the \"pretty top\" of Python's documentation (display_top()):\n"
    "\"Top N lines\", then \"#I: FILE:LINE: SIZE KiB\" for each of the N\n"
    "biggest groups with its source line under it, the number and size of\n"
    "the other groups, and the total size. Unlike the documentation's\n"
    "example, no trace is filtered out unless filters are given.\n"
    "\n"
    "options:\n" CLI_KEY_USAGE "                (a group is shown by the "
                               "oldest frame of its key)\n" CLI_PEAK_USAGE
    "  --limit N     print at most N groups (default: 10)\n" CLI_HELP_USAGE
    "\n" CLI_FILTER_USAGE;

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
                         const cli_options *options) {
  size_t limit = options->limit;
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

static int display(tracemalloc_snapshot *const *snapshots,
                   const cli_options *options) {
  return cli_print_statistics(snapshots[0], options->key_type, 0, print_display,
                              options);
}

const cli_command cli_display = {
    .name = "display",
    .summary = "print the top lines with their source and the total",
    .usage = display_usage,
    .options = OPT_KEY | OPT_LIMIT | OPT_FILTERS | OPT_PEAK,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = display,
};
