/*
 * tracemalloc - the command-line tool for TraceMalloc snapshot files.
 *
 *   tracemalloc top FILE        the biggest groups, as str(Statistic)
 *   tracemalloc compare NEW OLD the biggest changes, as str(StatisticDiff)
 *   tracemalloc traceback FILE  the biggest tracebacks, with source lines
 *   tracemalloc display FILE    the "pretty top" of Python's documentation
 *   tracemalloc stats FILE      totals, counts and domains
 *   tracemalloc export FILE     pickle, collapsed stacks, JSON or HTML
 *   tracemalloc run PROGRAM     trace a program, then print its top
 *
 * Each subcommand is one entry of the table below: a name, a one-line
 * summary for the main help and a run function that gets the arguments
 * after its name. The subcommands live in utils/cli/. Every error is one
 * line on stderr, "tracemalloc: error: ...", and exit status 2.
 */
#include "cli.h"

#include <string.h>

typedef struct subcommand {
  const char *name;
  const char *summary;
  /* argv: the arguments after the subcommand's name. */
  int (*run)(int argc, char **argv);
} subcommand;

static const subcommand subcommands[] = {
    {"top", "print the biggest groups of traces of a snapshot", cli_run_top},
    {"compare", "print the biggest differences between two snapshots",
     cli_run_compare},
    {"traceback", "print the biggest tracebacks, with their source lines",
     cli_run_traceback},
    {"display", "print the top lines with their source and the total",
     cli_run_display},
    {"stats", "print the totals of a snapshot", cli_run_stats},
    {"export", "write a snapshot as pickle, collapsed stacks, JSON or HTML",
     cli_run_export},
    {"run", "trace a program, then print the top of its snapshot", cli_run_run},
};

enum { NSUBCOMMAND = sizeof(subcommands) / sizeof(subcommands[0]) };

static int print_main_usage(void) {
  fputs("usage: tracemalloc COMMAND [OPTIONS]\n"
        "\n"
        "Read the snapshots TraceMalloc writes (.tms files), as Python's\n"
        "tracemalloc module reads its own.\n"
        "\n"
        "commands:\n",
        stdout);
  for (size_t i = 0; i < NSUBCOMMAND; i++)
    printf("  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
  fputs("\n"
        "Run 'tracemalloc COMMAND --help' for the options of a command.\n",
        stdout);
  return cli_finish_output();
}

int main(int argc, char **argv) {
  if (argc < 2)
    return cli_fail("missing command (run 'tracemalloc --help' for the list)");
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
    return print_main_usage();
  for (size_t i = 0; i < NSUBCOMMAND; i++) {
    if (strcmp(name, subcommands[i].name) == 0)
      return subcommands[i].run(argc - 2, argv + 2);
  }
  return cli_fail("unknown command '%s' (run 'tracemalloc --help' for the "
                  "list)",
                  name);
}
