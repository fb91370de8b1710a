/*
 * options.c - the command line of every subcommand, parsed into one
 * cli_options.
 *
 * Options are "--name value", "--name=value" or a flag "--name"; "--" ends
 * the options; anything else is a positional argument. A subcommand names
 * the options it accepts with a mask (cli_command.options), so that every
 * option has one spelling, one parser and one error message.
 */
#include "cli.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

cli_options cli_options_default(void) {
  cli_options options = {
      .key_type = TRACEMALLOC_KEY_LINENO, .limit = 10, .nframe = 25};
  return options;
}

/* ---- Arguments ---- */

typedef struct arguments {
  int argc;
  char **argv;
  int next;
  int options_done;
} arguments;

typedef enum { ARG_END, ARG_OPTION, ARG_POSITIONAL } argument_kind;

typedef struct argument {
  argument_kind kind;
  const char *text;   /* the whole argument */
  size_t name_length; /* of an option's name, dashes included */
  const char *value;  /* after '=', or NULL */
} argument;

static argument next_argument(arguments *args) {
  argument arg = {ARG_END, NULL, 0, NULL};
  while (args->next < args->argc) {
    arg.text = args->argv[args->next++];
    if (!args->options_done && strcmp(arg.text, "--") == 0) {
      args->options_done = 1;
      continue;
    }
    if (args->options_done || arg.text[0] != '-' || arg.text[1] == '\0') {
      arg.kind = ARG_POSITIONAL;
      return arg;
    }
    const char *equals = strchr(arg.text, '=');
    arg.kind = ARG_OPTION;
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

/* The value of an option that takes one; NULL after the error message. */
static const char *option_value(arguments *args, const argument *arg) {
  if (arg->value)
    return arg->value;
  if (args->next < args->argc)
    return args->argv[args->next++];
  cli_fail("option %.*s needs a value", (int)arg->name_length, arg->text);
  return NULL;
}

static int flag(const argument *arg, int *out) {
  if (arg->value)
    return cli_fail("option %.*s takes no value", (int)arg->name_length,
                    arg->text);
  *out = 1;
  return CLI_OK;
}

/* A count: decimal digits only, so "-1", "+1", " 1" and "1x" are errors. */
static int parse_count(const char *text, size_t max, size_t *out) {
  if (!*text)
    return -1;
  size_t value = 0;
  for (const char *p = text; *p; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    unsigned int digit = (unsigned int)(*p - '0');
    if (value > (max - digit) / 10)
      return -1;
    value = value * 10 + digit;
  }
  *out = value;
  return 0;
}

/* ---- Option values ---- */

static int parse_limit(const char *value, cli_options *options) {
  if (parse_count(value, SIZE_MAX, &options->limit) < 0)
    return cli_fail("invalid --limit '%s' (expected a non-negative integer)",
                    value);
  return CLI_OK;
}

static int parse_key(const char *value, cli_options *options) {
  if (tracemalloc_key_type_parse(value, &options->key_type) < 0)
    return cli_fail("invalid --key '%s' (expected lineno, filename or "
                    "traceback)",
                    value);
  return CLI_OK;
}

static int parse_sort(const char *value, cli_options *options) {
  if (tracemalloc_allocation_sort_parse(value, &options->sort) < 0)
    return cli_fail("invalid --sort '%s' (expected allocated, allocations or "
                    "temporary)",
                    value);
  return CLI_OK;
}

static int parse_nframe(const char *value, cli_options *options) {
  size_t nframe;
  if (parse_count(value, SIZE_MAX, &nframe) < 0 || nframe < 1 ||
      nframe > TRACEMALLOC_MAX_NFRAME)
    return cli_fail("invalid --nframe '%s' (expected 1 to %d)", value,
                    TRACEMALLOC_MAX_NFRAME);
  options->nframe = (unsigned int)nframe;
  return CLI_OK;
}

static int parse_format(const char *value, cli_options *options) {
  static const char *const names[] = {"pickle", "collapsed", "json", "html",
                                      "pprof"};
  static const cli_format formats[] = {FORMAT_PICKLE, FORMAT_COLLAPSED,
                                       FORMAT_JSON, FORMAT_HTML, FORMAT_PPROF};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(value, names[i]) == 0) {
      options->format = formats[i];
      return CLI_OK;
    }
  }
  return cli_fail("invalid --format '%s' (expected pickle, collapsed, json, "
                  "html or pprof)",
                  value);
}

static int grow_filters(tracemalloc_filter **filters, size_t count) {
  /* Grow at powers of two. */
  if (count & (count - 1))
    return 0;
  size_t capacity = count ? count * 2 : 1;
  tracemalloc_filter *grown = realloc(*filters, capacity * sizeof(**filters));
  if (!grown)
    return -1;
  *filters = grown;
  return 0;
}

/* PATTERN or PATTERN:LINE (LINE: decimal digits after the last ':'). */
static int add_file_filter(const char *value, int inclusive,
                           cli_options *options) {
  const char *name = inclusive ? "--include" : "--exclude";
  const char *colon = strrchr(value, ':');
  size_t lineno = 0;
  long line = -1;
  if (colon && colon[1] &&
      strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
    if (parse_count(colon + 1, UINT_MAX, &lineno) < 0)
      return cli_fail("invalid %s '%s' (line number out of range)", name,
                      value);
    line = (long)lineno;
  } else {
    colon = NULL;
  }
  size_t length = colon ? (size_t)(colon - value) : strlen(value);
  if (length == 0)
    return cli_fail("invalid %s '%s' (expected PATTERN[:LINE])", name, value);
  char *pattern = strndup(value, length);
  if (!pattern || grow_filters(&options->filters, options->nfilter) < 0) {
    free(pattern);
    return cli_fail("out of memory");
  }
  options->filters[options->nfilter++] =
      tracemalloc_filter_make(inclusive, pattern, line, 0, -1);
  return CLI_OK;
}

static int add_domain_filter(const char *value, int inclusive,
                             cli_options *options) {
  size_t domain;
  if (parse_count(value, UINT_MAX, &domain) < 0)
    return cli_fail("invalid %s '%s' (expected 0 to %u)",
                    inclusive ? "--domain" : "--exclude-domain", value,
                    UINT_MAX);
  if (grow_filters(&options->domain_filters, options->ndomain_filter) < 0)
    return cli_fail("out of memory");
  options->domain_filters[options->ndomain_filter++] =
      tracemalloc_domain_filter_make(inclusive, (unsigned int)domain);
  return CLI_OK;
}

/* ---- One option ---- */

typedef int (*value_parser)(const char *value, cli_options *options);

static int with_value(arguments *args, const argument *arg,
                      cli_options *options, value_parser parse) {
  const char *value = option_value(args, arg);
  return value ? parse(value, options) : EXIT_ERROR;
}

static int include_filter(const char *v, cli_options *o) {
  return add_file_filter(v, 1, o);
}
static int exclude_filter(const char *v, cli_options *o) {
  return add_file_filter(v, 0, o);
}
static int include_domain(const char *v, cli_options *o) {
  return add_domain_filter(v, 1, o);
}
static int exclude_domain(const char *v, cli_options *o) {
  return add_domain_filter(v, 0, o);
}
static int set_output(const char *v, cli_options *o) {
  if (!*v)
    return cli_fail("invalid -o '' (expected a file name, or - for stdout)");
  o->output = v;
  return CLI_OK;
}

typedef struct option_entry {
  const char *name;
  const char *alias;
  unsigned int mask;
  value_parser parse; /* NULL for a flag */
  size_t flag_offset; /* of the int set by a flag */
} option_entry;

static const option_entry option_table[] = {
    {"--key", NULL, OPT_KEY, parse_key, 0},
    {"--cumulative", NULL, OPT_CUMULATIVE, NULL,
     offsetof(cli_options, cumulative)},
    {"--limit", NULL, OPT_LIMIT, parse_limit, 0},
    {"--sort", NULL, OPT_SORT, parse_sort, 0},
    {"--include", NULL, OPT_FILTERS, include_filter, 0},
    {"--exclude", NULL, OPT_FILTERS, exclude_filter, 0},
    {"--all-frames", NULL, OPT_FILTERS, NULL,
     offsetof(cli_options, all_frames)},
    {"--domain", NULL, OPT_FILTERS, include_domain, 0},
    {"--exclude-domain", NULL, OPT_FILTERS, exclude_domain, 0},
    {"--format", NULL, OPT_FORMAT, parse_format, 0},
    {"--output", "-o", OPT_OUTPUT, set_output, 0},
    {"--nframe", NULL, OPT_NFRAME, parse_nframe, 0},
    {"--most-recent-first", NULL, OPT_RECENT, NULL,
     offsetof(cli_options, most_recent_first)},
    {"--peak", NULL, OPT_PEAK, NULL, offsetof(cli_options, peak)},
};

static int parse_option(const cli_command *command, arguments *args,
                        const argument *arg, cli_options *options) {
  if (option_is(arg, "-h") || option_is(arg, "--help"))
    return CLI_HELP;
  for (size_t i = 0; i < sizeof(option_table) / sizeof(option_table[0]); i++) {
    const option_entry *entry = &option_table[i];
    if (!(command->options & entry->mask) ||
        !(option_is(arg, entry->name) ||
          (entry->alias && option_is(arg, entry->alias))))
      continue;
    if (!entry->parse)
      return flag(arg, (int *)((char *)options + entry->flag_offset));
    return with_value(args, arg, options, entry->parse);
  }
  return cli_fail("%s: unknown option '%.*s'", command->name,
                  (int)arg->name_length, arg->text);
}

static int add_positional(const cli_command *command, arguments *args,
                          const argument *arg, cli_options *options) {
  if (options->npath < command->nsnapshot) {
    options->paths[options->npath++] = arg->text;
    return CLI_OK;
  }
  if (command->options & OPT_COMMAND) {
    options->command = args->argv + args->next - 1;
    options->ncommand = args->argc - args->next + 1;
    args->next = args->argc;
    return CLI_OK;
  }
  return cli_fail("%s: unexpected argument '%s'", command->name, arg->text);
}

/* Checks made once every option is known. */
static int check_options(const cli_command *command, cli_options *options) {
  if (options->npath < command->nsnapshot)
    return cli_fail("%s: missing snapshot %s", command->name,
                    command->snapshots[options->npath]);
  if ((command->options & OPT_COMMAND) && !options->ncommand)
    return cli_fail("%s: missing PROGRAM", command->name);
  if ((command->options & OPT_FORMAT) && options->format == FORMAT_NONE)
    return cli_fail("%s: missing --format", command->name);
  if ((command->options & OPT_FORMAT) && !options->output)
    return cli_fail("%s: missing -o OUT (- for stdout)", command->name);
  if (options->format == FORMAT_PICKLE && strcmp(options->output, "-") == 0)
    return cli_fail("%s: --format pickle needs a file, not stdout",
                    command->name);
  if (options->cumulative && options->key_type == TRACEMALLOC_KEY_TRACEBACK)
    return cli_fail("--cumulative cannot be used with --key traceback");
  for (size_t i = 0; i < options->nfilter; i++)
    options->filters[i].all_frames = options->all_frames;
  return CLI_OK;
}

int cli_parse(const cli_command *command, int argc, char **argv,
              cli_options *options) {
  arguments args = {argc, argv, 0, 0};
  for (;;) {
    argument arg = next_argument(&args);
    if (arg.kind == ARG_END)
      break;
    int status = arg.kind == ARG_OPTION
                     ? parse_option(command, &args, &arg, options)
                     : add_positional(command, &args, &arg, options);
    if (status != CLI_OK)
      return status;
  }
  return check_options(command, options);
}

void cli_options_fini(cli_options *options) {
  for (size_t i = 0; i < options->nfilter; i++)
    free((char *)options->filters[i].filename_pattern);
  free(options->filters);
  free(options->domain_filters);
  options->filters = options->domain_filters = NULL;
  options->nfilter = options->ndomain_filter = 0;
}
