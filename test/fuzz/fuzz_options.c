/*
 * fuzz_options.c - libFuzzer target for the command line of the CLI
 * (utils/cli/options.c): option parsing, the --include/--exclude PATTERN:LINE
 * and --domain filters, and what the filters then do to a snapshot
 * (fnmatch patterns, runtime/snapshot/filter.c).
 *
 * An input is a command line: arguments separated by NUL bytes. Its first
 * byte picks the subcommand (which options are accepted, how many
 * positionals, whether a command follows), as utils/cli/ declares them.
 * Parsing must end in CLI_OK, CLI_HELP or exit status 2 after one error
 * line, and must not crash or leak (ASan + UBSan). When it succeeds, the
 * filters are applied to a small snapshot of fixed traces.
 */
#include "cli.h"
#include "snapshot.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_ARGS = 64 };

/* The subcommands as utils/cli/ declares them, without what they run. */
static const cli_command commands[] = {
    {.name = "top",
     .options = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS,
     .snapshots = {"FILE"},
     .nsnapshot = 1},
    {.name = "compare",
     .options = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS,
     .snapshots = {"NEW", "OLD"},
     .nsnapshot = 2},
    {.name = "traceback",
     .options = OPT_LIMIT | OPT_FILTERS | OPT_RECENT,
     .snapshots = {"FILE"},
     .nsnapshot = 1},
    {.name = "stats",
     .options = OPT_FILTERS,
     .snapshots = {"FILE"},
     .nsnapshot = 1},
    {.name = "export",
     .options = OPT_FORMAT | OPT_OUTPUT | OPT_LIMIT | OPT_FILTERS,
     .snapshots = {"FILE"},
     .nsnapshot = 1},
    {.name = "run",
     .options = OPT_NFRAME | OPT_OUTPUT | OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT |
                OPT_FILTERS | OPT_COMMAND,
     .snapshots = {NULL},
     .nsnapshot = 0},
};

static tracemalloc_snapshot *sample;

/* A few traces in two domains, with nested directories, odd characters and
 * deep tracebacks, for the filters to match against. */
static tracemalloc_snapshot *make_sample(void) {
  static const char *const files[] = {
      "/src/main.c",
      "/src/lib/util.c",
      "a.py",
      "a.pyc",
      "[x]*?.c",
      "",
      "/usr/include/c++/12/bits/new_allocator.h"};
  enum { NFILES = sizeof(files) / sizeof(files[0]) };
  tm_snapshot_builder *builder = tm_builder_new(8, 0);
  if (!builder)
    abort();
  const tracemalloc_frame *frames[NFILES];
  for (unsigned int i = 0; i < NFILES; i++) {
    frames[i] = tm_builder_frame(builder, files[i], i * 7, "f");
    if (!frames[i])
      abort();
  }
  for (unsigned int i = 0; i < NFILES; i++) {
    const tracemalloc_traceback *tb = tm_builder_traceback(
        builder, frames + i, NFILES - i, NFILES - i + (i & 1));
    if (!tb || tm_builder_add_trace(builder, i % 2, 100 * (i + 1), tb) < 0)
      abort();
  }
  tracemalloc_snapshot *snapshot = tm_builder_finish(builder);
  if (!snapshot)
    abort();
  return snapshot;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  /* cli_fail() writes one line per bad command line: keep the fuzzer's
   * output readable. The sanitizers report on file descriptor 2 directly. */
  FILE *null = fopen("/dev/null", "w");
  if (null)
    stderr = null;
  sample = make_sample();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const cli_command *command =
      &commands[data[0] % (sizeof(commands) / sizeof(commands[0]))];
  /* The arguments, each NUL-terminated in a copy of their own so ASan sees
   * any read past one. */
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  size_t at = 1;
  while (at < size && argc < MAX_ARGS) {
    const uint8_t *end = memchr(data + at, '\0', size - at);
    size_t length = end ? (size_t)(end - (data + at)) : size - at;
    argv[argc] = malloc(length + 1);
    memcpy(argv[argc], data + at, length);
    argv[argc][length] = '\0';
    argc++;
    at += length + 1;
  }
  argv[argc] = NULL;

  cli_options options = cli_options_default();
  int status = cli_parse(command, argc, argv, &options);
  if (status != CLI_OK && status != CLI_HELP && status != EXIT_ERROR)
    abort();
  if (status == CLI_OK) {
    if (options.npath != command->nsnapshot || options.limit > SIZE_MAX ||
        ((command->options & OPT_COMMAND) &&
         (options.ncommand < 1 || options.command[options.ncommand] != NULL)))
      abort();
    tracemalloc_snapshot *filtered = sample;
    if (options.ndomain_filter)
      filtered = tracemalloc_snapshot_filter_traces(
          sample, options.domain_filters, options.ndomain_filter);
    if (filtered && options.nfilter) {
      tracemalloc_snapshot *again = tracemalloc_snapshot_filter_traces(
          filtered, options.filters, options.nfilter);
      if (filtered != sample)
        tracemalloc_snapshot_free(filtered);
      filtered = again;
    }
    if (filtered) {
      tracemalloc_statistics *stats = tracemalloc_snapshot_statistics(
          filtered, options.key_type,
          options.cumulative && options.key_type != TRACEMALLOC_KEY_TRACEBACK);
      tracemalloc_statistics_free(stats);
    }
    if (filtered != sample)
      tracemalloc_snapshot_free(filtered);
  }
  cli_options_fini(&options);
  for (int i = 0; i < argc; i++)
    free(argv[i]);
  return 0;
}
