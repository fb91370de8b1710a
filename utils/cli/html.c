/*
 * html.c - the HTML report of tracemalloc export --format html.
 *
 * One self-contained page: the style sheet and the script (report.css and
 * report.js, embedded into the binary at build time as cli_asset_* by
 * embed.cmake) are inlined, and nothing is fetched from the network. The
 * tables are plain HTML written here; the flame graph is drawn by the
 * script from a JSON block:
 *
 *   {"frames": [[FUNCTION, FILE, LINE], ...],
 *    "stacks": [[SIZE, COUNT, [FRAME INDEX, ... oldest first]], ...]}
 *
 * with one stack per distinct traceback (statistics by traceback), frames
 * numbered in the order they are first met. Frames of two functions on one
 * line (C++ template instances, macros) are two frames, in the flame graph
 * and in the table of lines alike (statistics by function).
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern const char cli_asset_report_css[];
extern const char cli_asset_report_js[];

/* ---- Escaping ---- */

static void html_text(FILE *out, const char *text) {
  for (const char *p = text; *p; p++) {
    switch (*p) {
    case '&':
      fputs("&amp;", out);
      break;
    case '<':
      fputs("&lt;", out);
      break;
    case '>':
      fputs("&gt;", out);
      break;
    case '"':
      fputs("&quot;", out);
      break;
    default:
      putc(*p, out);
    }
  }
}

/* ---- The flame graph's data ---- */

/* Frames are numbered in the order they are first met (numbering.c). */
static int write_stack(FILE *out, cli_numbering *frames,
                       const tracemalloc_statistic *statistic) {
  const tracemalloc_traceback *traceback = statistic->traceback;
  fprintf(out, "[%zu,%zu,[", statistic->size, statistic->count);
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    size_t index = cli_number(frames, traceback->frames[i], NULL);
    if (index == CLI_NO_NUMBER)
      return cli_fail("out of memory");
    fprintf(out, i ? ",%zu" : "%zu", index);
  }
  fputs("]]", out);
  return 0;
}

static int write_frames(FILE *out, const cli_numbering *frames) {
  cli_key *order = cli_numbering_keys(frames);
  if (!order)
    return cli_fail("out of memory");
  fputs("\"frames\":[", out);
  for (size_t i = 0; i < cli_numbering_count(frames); i++) {
    const tracemalloc_frame *frame = order[i].first;
    fputs(i ? ",\n[" : "\n[", out);
    cli_json_string(out, frame->function ? frame->function : "", 1);
    putc(',', out);
    cli_json_string(out, frame->filename, 1);
    fprintf(out, ",%u]", frame->lineno);
  }
  fputs("]", out);
  free(order);
  return 0;
}

static int write_stacks(FILE *out, const tracemalloc_statistics *statistics) {
  cli_numbering *frames = cli_numbering_new();
  int status = frames ? 0 : cli_fail("out of memory");
  fputs("<script type=\"application/json\" id=\"tm-data\">\n{\"stacks\":[",
        out);
  for (size_t i = 0; i < statistics->count && !status; i++) {
    fputs(i ? ",\n" : "\n", out);
    status = write_stack(out, frames, &statistics->items[i]);
  }
  fputs("],\n", out);
  if (!status)
    status = write_frames(out, frames);
  fputs("}\n</script>\n", out);
  cli_numbering_free(frames);
  return status;
}

/* The data block: the stacks are the statistics by traceback. */
static int write_data(FILE *out, const tracemalloc_snapshot *snapshot) {
  tracemalloc_statistics *statistics =
      cli_statistics_by_function(snapshot, TRACEMALLOC_KEY_TRACEBACK);
  if (!statistics)
    return EXIT_ERROR;
  int status = write_stacks(out, statistics);
  tracemalloc_statistics_free(statistics);
  return status;
}

/* ---- Tables ---- */

/* The size and average as str(statistic) gives them: formatted for a
 * traceback of one empty frame, ":0: size=S, count=N[, average=A]". */
static void statistic_numbers(const tracemalloc_statistic *statistic,
                              char size[64], char average[64]) {
  static const tracemalloc_frame empty = {"", 0, ""};
  static const tracemalloc_frame *const frames[] = {&empty};
  const tracemalloc_traceback traceback = {frames, 1, 1};
  tracemalloc_statistic copy = *statistic;
  copy.traceback = &traceback;
  char text[256];
  tracemalloc_statistic_format(text, sizeof(text), &copy);
  const char *start = strstr(text, "size=") + strlen("size=");
  const char *end = strstr(start, ", count=");
  snprintf(size, 64, "%.*s", (int)(end - start), start);
  const char *avg = strstr(end, "average=");
  snprintf(average, 64, "%s", avg ? avg + strlen("average=") : "");
}

/* A table's FILE, or FILE:LINE and the function when lines. */
static void write_location(FILE *out, const tracemalloc_frame *frame,
                           int lines) {
  html_text(out, frame->filename);
  if (lines)
    fprintf(out, ":%u", frame->lineno);
  if (lines && frame->function && *frame->function) {
    fputs(" <span class=\"fn\">", out);
    html_text(out, frame->function);
    fputs("</span>", out);
  }
}

static void write_row(FILE *out, size_t rank,
                      const tracemalloc_statistic *statistic, int lines) {
  const tracemalloc_frame *frame = statistic->traceback->frames[0];
  char size[64], average[64];
  statistic_numbers(statistic, size, average);
  fprintf(out, "<tr><td>%zu</td><td class=\"loc\">", rank);
  write_location(out, frame, lines);
  fprintf(out,
          "</td><td class=\"num\" data-bytes=\"%zu\">%s</td>"
          "<td class=\"num\">%zu</td><td class=\"num\">%s</td></tr>\n",
          statistic->size, size, statistic->count, average);
}

static int write_table(FILE *out, const tracemalloc_snapshot *snapshot,
                       tracemalloc_key_type key_type,
                       const cli_options *options) {
  int lines = key_type == TRACEMALLOC_KEY_LINENO;
  tracemalloc_statistics *statistics =
      cli_statistics_by_function(snapshot, key_type);
  if (!statistics)
    return EXIT_ERROR;
  fprintf(out,
          "<section>\n<h2>Top %zu %s</h2>\n"
          "<table id=\"top-%s\">\n<thead><tr><th>#</th><th>%s</th>"
          "<th>Size</th><th>Count</th><th>Average</th></tr></thead>\n"
          "<tbody>\n",
          options->limit, lines ? "lines" : "files",
          lines ? "lineno" : "filename", lines ? "Line" : "File");
  for (size_t i = 0; i < statistics->count && i < options->limit; i++)
    write_row(out, i + 1, &statistics->items[i], lines);
  fputs("</tbody>\n</table>\n</section>\n", out);
  tracemalloc_statistics_free(statistics);
  return 0;
}

/* The allocation counters by line, when the snapshot has them: rows by
 * bytes allocated; report.js sorts by any column whose header is clicked
 * (data-value holds the number). */
static void write_allocation_row(FILE *out, size_t rank,
                                 const tracemalloc_allocation_statistic *item) {
  const tracemalloc_frame *frame = item->traceback->frames[0];
  char allocated[64];
  fprintf(out, "<tr><td data-value=\"%zu\">%zu</td><td class=\"loc\">", rank,
          rank);
  write_location(out, frame, 1);
  fprintf(out,
          "</td><td class=\"num\" data-value=\"%llu\">%llu</td>"
          "<td class=\"num\" data-value=\"%llu\">%s</td>"
          "<td class=\"num\" data-value=\"%llu\">%llu</td></tr>\n",
          (unsigned long long)item->allocations,
          (unsigned long long)item->allocations,
          (unsigned long long)item->allocated,
          cli_size(allocated, sizeof(allocated), (size_t)item->allocated),
          (unsigned long long)item->temporary,
          (unsigned long long)item->temporary);
}

static int write_allocations_table(FILE *out,
                                   const tracemalloc_snapshot *snapshot,
                                   const cli_options *options) {
  if (!tracemalloc_snapshot_has_allocation_counts(snapshot))
    return 0;
  tracemalloc_allocation_statistics *counts = tracemalloc_snapshot_allocations(
      snapshot, TRACEMALLOC_KEY_LINENO, TRACEMALLOC_SORT_ALLOCATED);
  if (!counts)
    return cli_fail("%s", tracemalloc_last_error());
  fprintf(out,
          "<section>\n<h2>Top %zu lines by bytes allocated</h2>\n"
          "<p class=\"help\">Every block allocated while tracing, freed or "
          "not; temporary: freed before its thread allocated again. Click a "
          "column to sort by it.</p>\n"
          "<table id=\"allocations\" class=\"sortable\">\n<thead><tr>"
          "<th>#</th><th>Line</th><th>Allocations</th><th>Allocated</th>"
          "<th>Temporary</th></tr></thead>\n<tbody>\n",
          options->limit);
  for (size_t i = 0; i < counts->count && i < options->limit; i++)
    write_allocation_row(out, i + 1, &counts->items[i]);
  fputs("</tbody>\n</table>\n</section>\n", out);
  tracemalloc_allocation_statistics_free(counts);
  return 0;
}

/* ---- The page ---- */

static void write_head(FILE *out, const char *title) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width\">\n"
        "<title>TraceMalloc: ",
        out);
  html_text(out, title);
  fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n",
          cli_asset_report_css);
}

static void write_summary(FILE *out, const char *title,
                          const tracemalloc_snapshot *snapshot) {
  size_t ntrace = tracemalloc_snapshot_trace_count(snapshot);
  uint64_t total = 0;
  for (size_t i = 0; i < ntrace; i++)
    total += tracemalloc_snapshot_trace(snapshot, i)->size;
  char size[64];
  fputs("<body>\n<header>\n<h1>TraceMalloc: ", out);
  html_text(out, title);
  fprintf(out,
          "</h1>\n<p id=\"summary\">%s (%llu bytes) in %zu blocks; traceback "
          "limit %u; %llu lost traces</p>\n</header>\n",
          cli_size(size, sizeof(size), total), (unsigned long long)total,
          ntrace, tracemalloc_snapshot_traceback_limit(snapshot),
          (unsigned long long)tracemalloc_snapshot_lost_traces(snapshot));
}

static void write_flame_section(FILE *out) {
  fputs("<section id=\"flame\">\n<h2>Live memory by traceback</h2>\n"
        "<p class=\"help\">Oldest frame at the top; width is size. Click a "
        "frame to zoom in, click a frame above it to zoom out.</p>\n"
        "<div id=\"details\">&nbsp;</div>\n"
        "<button type=\"button\" id=\"reset\">Reset zoom</button>\n"
        "<svg id=\"flamegraph\" xmlns=\"http://www.w3.org/2000/svg\" "
        "width=\"100%\" height=\"20\"></svg>\n"
        "<noscript>The flame graph needs JavaScript.</noscript>\n"
        "</section>\n",
        out);
}

int cli_write_html(FILE *out, const tracemalloc_snapshot *snapshot,
                   const cli_options *options) {
  const char *title = options->paths[0];
  write_head(out, title);
  write_summary(out, title, snapshot);
  cli_write_timeline(out, snapshot);
  write_flame_section(out);
  int status = write_table(out, snapshot, TRACEMALLOC_KEY_LINENO, options);
  if (!status)
    status = write_table(out, snapshot, TRACEMALLOC_KEY_FILENAME, options);
  if (!status)
    status = write_allocations_table(out, snapshot, options);
  if (!status)
    status = write_data(out, snapshot);
  fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n",
          cli_asset_report_js);
  return status;
}
