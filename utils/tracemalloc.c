/*
 * tracemalloc - the command-line tool for TraceMalloc snapshot files.
 *
 *   tracemalloc top FILE        the biggest groups, as str(Statistic)
 *   tracemalloc compare NEW OLD the biggest changes, as str(StatisticDiff)
 *   tracemalloc traceback FILE  the biggest tracebacks, with source lines
 *   tracemalloc display FILE    the "pretty top" of Python's documentation
 *   tracemalloc stats FILE      totals, counts and domains
 *   tracemalloc export FILE     pickle, collapsed stacks, JSON, HTML, pprof
 *   tracemalloc run PROGRAM     trace a program, then print its top
 *
 * Each subcommand is one cli_command of the table below (utils/cli/cli.h):
 * its name, summary, usage, the options it accepts, the snapshots it reads
 * and its run function. One driver runs them all: it parses the arguments
 * into a cli_options, loads the snapshots, runs the subcommand and frees
 * what it made. Every error is one line on stderr, "tracemalloc: error:
 * ...", and exit status 2.
 */
#include "cli.h"

#include <string.h>

static const cli_command *const commands[] = {
    &cli_top,   &cli_compare,     &cli_traceback, &cli_display,
    &cli_stats, &cli_allocations, &cli_export,    &cli_run,
};

enum { NCOMMAND = sizeof(commands) / sizeof(commands[0]) };

static int print_main_usage(void) {
  fputs("usage: tracemalloc COMMAND [OPTIONS]\n"
        "\n"
        "Read the snapshots TraceMalloc writes (.tms files), as Python's\n"
        "tracemalloc module reads its own.\n"
        "\n"
        "commands:\n",
        stdout);
  for (size_t i = 0; i < NCOMMAND; i++)
    printf("  %-11s %s\n", commands[i]->name, commands[i]->summary);
  fputs("\n"
        "Run 'tracemalloc COMMAND --help' for the options of a command,\n"
        "'tracemalloc --version' for the version.\n",
        stdout);
  return cli_finish_output();
}

/* Load the command's snapshots, in order, and run it. */
static int load_and_run(const cli_command *command,
                        const cli_options *options) {
  tracemalloc_snapshot *snapshots[2] = {NULL, NULL};
  int status = 0;
  for (int i = 0; i < command->nsnapshot && !status; i++) {
    snapshots[i] = cli_load(options->paths[i], options);
    if (!snapshots[i])
      status = EXIT_ERROR;
  }
  if (!status)
    status = command->run(snapshots, options);
  for (int i = 0; i < command->nsnapshot; i++)
    tracemalloc_snapshot_free(snapshots[i]);
  return status ? status : cli_finish_output();
}

/* argv: the arguments after the command's name. */
static int run_command(const cli_command *command, int argc, char **argv) {
  cli_options options = cli_options_default();
  int status = cli_parse(command, argc, argv, &options);
  if (status == CLI_HELP) {
    fputs(command->usage, stdout);
    status = cli_finish_output();
  } else if (status == CLI_OK) {
    status = load_and_run(command, &options);
  }
  cli_options_fini(&options);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return cli_fail("missing command (run 'tracemalloc --help' for the list)");
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
    return print_main_usage();
  if (strcmp(name, "--version") == 0) {
    printf("tracemalloc (TraceMalloc) %s\n", TM_VERSION);
    return cli_finish_output();
  }
  for (size_t i = 0; i < NCOMMAND; i++) {
    if (strcmp(name, commands[i]->name) == 0)
      return run_command(commands[i], argc - 2, argv + 2);
  }
  return cli_fail("unknown command '%s' (run 'tracemalloc --help' for the "
                  "list)",
                  name);
}
