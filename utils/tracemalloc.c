/*
 * tracemalloc - the command-line tool for TraceMalloc snapshot files.
 *
 *   tracemalloc top FILE [--key lineno|filename|traceback] [--cumulative]
 *                        [--limit N]
 *
 * Output is what Python prints for the same snapshot: "[ Top N ]" and then
 * str(statistic) for each of the first N of Snapshot.statistics().
 *
 * Each subcommand is one entry of the table at the end of this file: a
 * name, a one-line summary for the main help, a usage text and a run
 * function that gets the arguments after its name. Every error is one line
 * on stderr, "tracemalloc: error: ...", and exit status 2.
 */
#include "tracemalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_ERROR = 2 };

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  fputs("tracemalloc: error: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
  return EXIT_ERROR;
}

/* Everything went to stdout: make sure it really did (a full disk, a closed
 * pipe). */
static int finish_output(void) {
  if (fflush(stdout) != 0 || ferror(stdout))
    return fail("cannot write the output: %s", strerror(errno));
  return 0;
}

/* ---- Command-line arguments ----
 * Options are "--name value", "--name=value" or a flag "--name"; "--" ends
 * the options; anything else is a positional argument. */
typedef struct arguments {
  int argc;
  char **argv;
  int next;
  int options_done;
} arguments;

typedef enum {
  ARGUMENT_END,
  ARGUMENT_OPTION,
  ARGUMENT_POSITIONAL
} argument_kind;

typedef struct argument {
  argument_kind kind;
  const char *text;   /* the whole argument */
  size_t name_length; /* of an option's name, "--" included */
  const char *value;  /* after '=', or NULL */
} argument;

static argument next_argument(arguments *args) {
  argument arg = {ARGUMENT_END, NULL, 0, NULL};
  while (args->next < args->argc) {
    arg.text = args->argv[args->next++];
    if (!args->options_done && strcmp(arg.text, "--") == 0) {
      args->options_done = 1;
      continue;
    }
    if (args->options_done || arg.text[0] != '-' || arg.text[1] == '\0') {
      arg.kind = ARGUMENT_POSITIONAL;
      return arg;
    }
    const char *equals = strchr(arg.text, '=');
    arg.kind = ARGUMENT_OPTION;
    arg.name_length = equals ? (size_t)(equals - arg.text) : strlen(arg.text);
    arg.value = equals ? equals + 1 : NULL;
    return arg;
  }
  return arg;
}

static int option_is(const argument *arg, const char *name) {
  return arg->name_length == strlen(name) &&
         strncmp(arg->text, name, arg->name_length) == 0;
}

/* The value of an option that takes one; NULL (after the error message)
 * when it is missing. */
static const char *option_value(arguments *args, const argument *arg) {
  if (arg->value)
    return arg->value;
  if (args->next < args->argc)
    return args->argv[args->next++];
  fail("option %.*s needs a value", (int)arg->name_length, arg->text);
  return NULL;
}

static int flag_value_error(const argument *arg) {
  return fail("option %.*s takes no value", (int)arg->name_length, arg->text);
}

static int is_help(const argument *arg) {
  return option_is(arg, "-h") || option_is(arg, "--help");
}

/* A count: decimal digits only, so "-1", "+1", " 1" and "1x" are errors. */
static int parse_count(const char *text, size_t *out) {
  if (!*text)
    return -1;
  size_t value = 0;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    unsigned int digit = (unsigned int)(*p - '0');
    if (value > (SIZE_MAX - digit) / 10)
      return -1;
    value = value * 10 + digit;
  }
  *out = value;
  return 0;
}

/* ---- Printing statistics ---- */

static int print_statistic(const tracemalloc_statistic *statistic) {
  char small[1024];
  int length = tracemalloc_statistic_format(small, sizeof(small), statistic);
  if (length < 0)
    return fail("cannot format a statistic");
  if ((size_t)length < sizeof(small)) {
    puts(small);
    return 0;
  }
  /* A long file name. */
  char *big = malloc((size_t)length + 1);
  if (!big)
    return fail("out of memory");
  tracemalloc_statistic_format(big, (size_t)length + 1, statistic);
  puts(big);
  free(big);
  return 0;
}

static tracemalloc_snapshot *load_snapshot(const char *path) {
  tracemalloc_snapshot *snapshot = tracemalloc_snapshot_load(path);
  if (!snapshot)
    fail("%s", tracemalloc_last_error());
  return snapshot;
}

/* ---- tracemalloc top ---- */

static const char top_usage[] =
    "usage: tracemalloc top FILE [--key lineno|filename|traceback] "
    "[--cumulative] [--limit N]\n"
    "\n"
    "Print the statistics of the snapshot FILE, biggest first, as Python's\n"
    "Snapshot.statistics() and str(Statistic) give them.\n"
    "\n"
    "options:\n"
    "  --key KEY     group the traces by KEY: lineno (the default; the most\n"
    "                recent frame), filename (its file) or traceback (all\n"
    "                the frames)\n"
    "  --cumulative  count every frame of a traceback, not only the most\n"
    "                recent one (lineno and filename keys only)\n"
    "  --limit N     print at most N statistics (default: 10)\n"
    "  -h, --help    print this help and exit\n";

typedef struct top_options {
  const char *path;
  tracemalloc_key_type key_type;
  int cumulative;
  size_t limit;
} top_options;

enum { PARSED_HELP = -1, PARSED_OK = 0 };

/* PARSED_OK, PARSED_HELP, or an exit status after the error message. */
static int parse_top_option(arguments *args, const argument *arg,
                            top_options *options) {
  if (is_help(arg))
    return PARSED_HELP;
  if (option_is(arg, "--cumulative")) {
    if (arg->value)
      return flag_value_error(arg);
    options->cumulative = 1;
    return PARSED_OK;
  }
  if (option_is(arg, "--key")) {
    const char *value = option_value(args, arg);
    if (!value)
      return EXIT_ERROR;
    if (tracemalloc_key_type_parse(value, &options->key_type) < 0)
      return fail("invalid --key '%s' (expected lineno, filename or "
                  "traceback)",
                  value);
    return PARSED_OK;
  }
  if (option_is(arg, "--limit")) {
    const char *value = option_value(args, arg);
    if (!value)
      return EXIT_ERROR;
    if (parse_count(value, &options->limit) < 0)
      return fail("invalid --limit '%s' (expected a non-negative integer)",
                  value);
    return PARSED_OK;
  }
  return fail("top: unknown option '%.*s'", (int)arg->name_length, arg->text);
}

static int parse_top(arguments *args, top_options *options) {
  for (;;) {
    argument arg = next_argument(args);
    if (arg.kind == ARGUMENT_END)
      break;
    if (arg.kind == ARGUMENT_OPTION) {
      int status = parse_top_option(args, &arg, options);
      if (status != PARSED_OK)
        return status;
    } else if (!options->path) {
      options->path = arg.text;
    } else {
      return fail("top: unexpected argument '%s'", arg.text);
    }
  }
  if (!options->path)
    return fail("top: missing snapshot FILE");
  if (options->cumulative && options->key_type == TRACEMALLOC_KEY_TRACEBACK)
    return fail("--cumulative cannot be used with --key traceback");
  return PARSED_OK;
}

static int print_top(const tracemalloc_snapshot *snapshot,
                     const top_options *options) {
  tracemalloc_statistics *statistics = tracemalloc_snapshot_statistics(
      snapshot, options->key_type, options->cumulative);
  if (!statistics)
    return fail("%s", tracemalloc_last_error());
  int status = 0;
  printf("[ Top %zu ]\n", options->limit);
  for (size_t i = 0; i < statistics->count && i < options->limit && !status;
       i++)
    status = print_statistic(&statistics->items[i]);
  tracemalloc_statistics_free(statistics);
  return status;
}

static int run_top(int argc, char **argv) {
  arguments args = {argc, argv, 0, 0};
  top_options options = {.key_type = TRACEMALLOC_KEY_LINENO, .limit = 10};
  int status = parse_top(&args, &options);
  if (status == PARSED_HELP) {
    fputs(top_usage, stdout);
    return finish_output();
  }
  if (status != PARSED_OK)
    return status;
  tracemalloc_snapshot *snapshot = load_snapshot(options.path);
  if (!snapshot)
    return EXIT_ERROR;
  status = print_top(snapshot, &options);
  tracemalloc_snapshot_free(snapshot);
  return status ? status : finish_output();
}

/* ---- Subcommands ---- */

typedef struct subcommand {
  const char *name;
  const char *summary;
  /* argv: the arguments after the subcommand's name. */
  int (*run)(int argc, char **argv);
} subcommand;

static const subcommand subcommands[] = {
    {"top", "print the biggest groups of traces of a snapshot", run_top},
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
  return finish_output();
}

int main(int argc, char **argv) {
  if (argc < 2)
    return fail("missing command (run 'tracemalloc --help' for the list)");
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
    return print_main_usage();
  for (size_t i = 0; i < NSUBCOMMAND; i++) {
    if (strcmp(name, subcommands[i].name) == 0)
      return subcommands[i].run(argc - 2, argv + 2);
  }
  return fail("unknown command '%s' (run 'tracemalloc --help' for the list)",
              name);
}
