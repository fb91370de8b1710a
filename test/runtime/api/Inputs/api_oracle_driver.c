/*
 * The C side of api_oracle.py: the same report from the C API.
 *
 *   api_oracle_driver pickle IN.tms OUT.pickle
 *   api_oracle_driver report OLD.tms NEW.tms FILTERS.txt
 *
 * Keep report() in step with api_oracle.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void die(const char *what) {
  fprintf(stderr, "api_oracle_driver: %s: %s\n", what,
          tracemalloc_last_error());
  exit(2);
}

static tracemalloc_snapshot *load(const char *path) {
  tracemalloc_snapshot *snapshot = tracemalloc_snapshot_load(path);
  if (!snapshot)
    die("load");
  return snapshot;
}

/* ---- Printing through the snprintf-like formatters ---- */

#define PRINT_FORMATTED(function, object)                                      \
  do {                                                                         \
    char small[256];                                                           \
    int length = function(small, sizeof(small), object);                       \
    if (length < (int)sizeof(small)) {                                         \
      fputs(small, stdout);                                                    \
    } else {                                                                   \
      char *big = malloc((size_t)length + 1);                                  \
      function(big, (size_t)length + 1, object);                               \
      fputs(big, stdout);                                                      \
      free(big);                                                               \
    }                                                                          \
  } while (0)

static void print_statistics(const tracemalloc_statistics *statistics) {
  for (size_t i = 0; i < statistics->count; i++) {
    PRINT_FORMATTED(tracemalloc_statistic_format, &statistics->items[i]);
    putchar('\n');
  }
}

static void print_diffs(const tracemalloc_snapshot *snapshot,
                        const tracemalloc_snapshot *old,
                        tracemalloc_key_type key_type, int cumulative) {
  tracemalloc_statistic_diffs *diffs =
      tracemalloc_snapshot_compare_to(snapshot, old, key_type, cumulative);
  if (!diffs)
    die("compare_to");
  for (size_t i = 0; i < diffs->count; i++) {
    PRINT_FORMATTED(tracemalloc_statistic_diff_format, &diffs->items[i]);
    putchar('\n');
  }
  tracemalloc_statistic_diffs_free(diffs);
}

static const struct {
  int has_limit, limit, most_recent_first;
} formats[] = {{0, 0, 0},  {0, 0, 1},   {1, 0, 0},   {1, 1, 0},
               {1, 2, 0},  {1, 2, 1},   {1, -1, 0},  {1, -1, 1},
               {1, -2, 0}, {1, 100, 0}, {1, -100, 0}};

static void print_formats(const tracemalloc_traceback *traceback) {
  for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
    if (formats[i].has_limit)
      printf("format %d %d:\n", formats[i].limit, formats[i].most_recent_first);
    else
      printf("format None %d:\n", formats[i].most_recent_first);
    size_t n;
    char **lines = tracemalloc_traceback_format(
        traceback, formats[i].has_limit, formats[i].limit,
        formats[i].most_recent_first, &n);
    if (!lines)
      die("format");
    for (size_t j = 0; j < n; j++)
      puts(lines[j]);
    tracemalloc_lines_free(lines);
  }
}

static void print_traces(const tracemalloc_snapshot *snapshot, size_t nformat) {
  size_t n = tracemalloc_snapshot_trace_count(snapshot);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    printf("%u %zu ", trace->domain, trace->size);
    PRINT_FORMATTED(tracemalloc_trace_format, trace);
    fputs(" | ", stdout);
    PRINT_FORMATTED(tracemalloc_traceback_str, trace->traceback);
    printf(" | %u/%u\n", trace->traceback->nframe,
           trace->traceback->total_nframe);
    if (i < nformat)
      print_formats(trace->traceback);
  }
}

/* ---- Filters: see api_oracle.py's parse_filters() ---- */

static long none_or_long(const char *word) {
  return strcmp(word, "-") == 0 ? -1 : strtol(word, NULL, 10);
}

/* Parse one filter ("F ..." or "D ..."), in place; 0 or -1. */
static int parse_filter(char *spec, tracemalloc_filter *filter) {
  char *words[6];
  int n = 0;
  for (char *word = strtok(spec, " \t"); word && n < 6;
       word = strtok(NULL, " \t"))
    words[n++] = word;
  if (n == 6 && strcmp(words[0], "F") == 0) {
    *filter = tracemalloc_filter_make(atoi(words[1]), words[2],
                                      none_or_long(words[3]), atoi(words[4]),
                                      none_or_long(words[5]));
    return 0;
  }
  if (n == 3 && strcmp(words[0], "D") == 0) {
    *filter = tracemalloc_domain_filter_make(
        atoi(words[1]), (unsigned int)strtoul(words[2], NULL, 10));
    return 0;
  }
  return -1;
}

static size_t parse_filters(char *line, tracemalloc_filter *filters,
                            size_t max) {
  size_t n = 0;
  char *specs[64];
  size_t nspec = 0;
  for (char *spec = strtok(line, ";"); spec && nspec < 64;
       spec = strtok(NULL, ";"))
    specs[nspec++] = spec;
  /* strtok is not reentrant: split into specs first, then words. */
  for (size_t i = 0; i < nspec && n < max; i++) {
    if (strspn(specs[i], " \t") == strlen(specs[i]))
      continue;
    if (parse_filter(specs[i], &filters[n]) < 0) {
      fprintf(stderr, "bad filter '%s'\n", specs[i]);
      exit(2);
    }
    n++;
  }
  return n;
}

static void print_filtered(const tracemalloc_snapshot *snapshot,
                           const char *path) {
  FILE *in = fopen(path, "r");
  if (!in) {
    perror(path);
    exit(2);
  }
  char line[4096];
  int index = 0;
  while (fgets(line, sizeof(line), in)) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#')
      continue;
    tracemalloc_filter filters[64];
    size_t n = parse_filters(line, filters, 64);
    tracemalloc_snapshot *filtered =
        tracemalloc_snapshot_filter_traces(snapshot, filters, n);
    if (!filtered)
      die("filter_traces");
    printf("[ filters %d: %zu traces, limit %u ]\n", index++,
           tracemalloc_snapshot_trace_count(filtered),
           tracemalloc_snapshot_traceback_limit(filtered));
    print_traces(filtered, 0);
    tracemalloc_statistics *statistics =
        tracemalloc_snapshot_statistics(filtered, TRACEMALLOC_KEY_TRACEBACK, 0);
    print_statistics(statistics);
    tracemalloc_statistics_free(statistics);
    tracemalloc_snapshot_free(filtered);
  }
  fclose(in);
}

static void report(const char *old_path, const char *new_path,
                   const char *filters_path) {
  static const struct {
    const char *name;
    tracemalloc_key_type key_type;
    int cumulative;
  } keys[] = {{"lineno", TRACEMALLOC_KEY_LINENO, 0},
              {"lineno", TRACEMALLOC_KEY_LINENO, 1},
              {"filename", TRACEMALLOC_KEY_FILENAME, 0},
              {"filename", TRACEMALLOC_KEY_FILENAME, 1},
              {"traceback", TRACEMALLOC_KEY_TRACEBACK, 0}};
  tracemalloc_snapshot *old = load(old_path);
  tracemalloc_snapshot *new = load(new_path);
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    printf("[ statistics %s %d ]\n", keys[i].name, keys[i].cumulative);
    tracemalloc_statistics *statistics = tracemalloc_snapshot_statistics(
        new, keys[i].key_type, keys[i].cumulative);
    if (!statistics)
      die("statistics");
    print_statistics(statistics);
    tracemalloc_statistics_free(statistics);
    printf("[ compare_to %s %d ]\n", keys[i].name, keys[i].cumulative);
    print_diffs(new, old, keys[i].key_type, keys[i].cumulative);
    printf("[ compare_to old %s %d ]\n", keys[i].name, keys[i].cumulative);
    print_diffs(old, new, keys[i].key_type, keys[i].cumulative);
  }
  puts("[ traces ]");
  print_traces(new, 20);
  print_filtered(new, filters_path);
  tracemalloc_snapshot_free(old);
  tracemalloc_snapshot_free(new);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "pickle") == 0) {
    tracemalloc_snapshot *snapshot = load(argv[2]);
    if (tracemalloc_snapshot_dump_pickle(snapshot, argv[3]) < 0)
      die("dump_pickle");
    tracemalloc_snapshot_free(snapshot);
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "report") == 0) {
    report(argv[2], argv[3], argv[4]);
    return 0;
  }
  fprintf(stderr, "usage: api_oracle_driver pickle IN.tms OUT.pickle | "
                  "report OLD.tms NEW.tms FILTERS.txt\n");
  return 2;
}
