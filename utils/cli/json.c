/*
 * json.c - JSON: the string literals of export --format json and of the
 * HTML report's data block, and the JSON document of export --format json
 * (its schema is in export's usage).
 */
#include "cli.h"

#include "unicode.h"

#include <string.h>

/* ---- Strings ---- */

static int needs_escape(unsigned char c, int html_safe) {
  return c < 0x20 || c == '"' || c == '\\' ||
         (html_safe && (c == '<' || c == '>' || c == '&'));
}

void cli_json_string(FILE *out, const char *text, int html_safe) {
  const unsigned char *s = (const unsigned char *)text;
  const unsigned char *end = s + strlen(text);
  putc('"', out);
  while (s < end) {
    size_t run = 0;
    while (s + run < end && s[run] < 0x80 && !needs_escape(s[run], html_safe))
      run++;
    fwrite(s, 1, run, out);
    s += run;
    if (s == end)
      break;
    uint32_t code_point;
    size_t length = tm_utf8_sequence(s, (size_t)(end - s), &code_point);
    if (length == 0) {
      fputs("\\ufffd", out);
      s++;
    } else if (length == 1) {
      if (*s == '"' || *s == '\\')
        fprintf(out, "\\%c", *s);
      else
        fprintf(out, "\\u%04x", *s);
      s++;
    } else {
      fwrite(s, 1, length, out);
      s += length;
    }
  }
  putc('"', out);
}

/* ---- The document ---- */

static void write_frame(FILE *out, const tracemalloc_frame *frame) {
  fputs("{\"filename\": ", out);
  cli_json_string(out, frame->filename, 0);
  fprintf(out, ", \"lineno\": %u, \"function\": ", frame->lineno);
  cli_json_string(out, frame->function ? frame->function : "", 0);
  putc('}', out);
}

static void write_frames(FILE *out, const tracemalloc_traceback *traceback) {
  fputs("\"frames\": [", out);
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    if (i > 0)
      fputs(", ", out);
    write_frame(out, traceback->frames[i]);
  }
  fputs("]}", out);
}

static void write_trace(FILE *out, const tracemalloc_trace *trace) {
  const tracemalloc_traceback *traceback = trace->traceback;
  fprintf(out, "    {\"domain\": %u, \"size\": %zu, \"total_nframe\": %u, ",
          trace->domain, trace->size, traceback->total_nframe);
  write_frames(out, traceback);
}

/* The allocation counters, one record per traceback of frames (two
 * functions of one line apart, as in the traces), biggest allocated first;
 * only when the snapshot has counters. */
static int write_allocations(FILE *out, const tracemalloc_snapshot *snapshot) {
  if (!tracemalloc_snapshot_has_allocation_counts(snapshot))
    return 0;
  tracemalloc_allocation_statistics *counts =
      tracemalloc_snapshot_allocations_by_function(
          snapshot, TRACEMALLOC_KEY_TRACEBACK, TRACEMALLOC_SORT_ALLOCATED);
  if (!counts)
    return cli_fail("%s", tracemalloc_last_error());
  fputs(",\n  \"allocations\": [", out);
  for (size_t i = 0; i < counts->count; i++) {
    const tracemalloc_allocation_statistic *item = &counts->items[i];
    fprintf(out,
            "%s    {\"allocations\": %llu, \"allocated\": %llu, "
            "\"temporary\": %llu, ",
            i > 0 ? ",\n" : "\n", (unsigned long long)item->allocations,
            (unsigned long long)item->allocated,
            (unsigned long long)item->temporary);
    write_frames(out, item->traceback);
  }
  fputs(counts->count ? "\n  ]" : "]", out);
  tracemalloc_allocation_statistics_free(counts);
  return 0;
}

/* [[SECONDS, BYTES], ...]: seconds exact to the nanosecond; [] when the
 * snapshot has no timeline (a file written before version 3). */
static void write_timeline(FILE *out, const tracemalloc_snapshot *snapshot) {
  size_t count;
  const tracemalloc_timeline_point *points =
      tracemalloc_snapshot_timeline(snapshot, &count);
  fputs("  \"timeline\": [", out);
  for (size_t i = 0; i < count; i++)
    fprintf(out, "%s[%s, %llu]", i ? ", " : "",
            cli_seconds(points[i].nanoseconds).text,
            (unsigned long long)points[i].size);
  fputs("],\n", out);
}

int cli_write_json(FILE *out, const tracemalloc_snapshot *snapshot,
                   const cli_options *options) {
  (void)options;
  size_t ntrace = tracemalloc_snapshot_trace_count(snapshot);
  fprintf(out,
          "{\n  \"format\": \"tracemalloc-snapshot\",\n  \"version\": 1,\n"
          "  \"traceback_limit\": %u,\n  \"lost_traces\": %llu,\n",
          tracemalloc_snapshot_traceback_limit(snapshot),
          (unsigned long long)tracemalloc_snapshot_lost_traces(snapshot));
  write_timeline(out, snapshot);
  fputs("  \"traces\": [", out);
  for (size_t i = 0; i < ntrace; i++) {
    fputs(i > 0 ? ",\n" : "\n", out);
    write_trace(out, tracemalloc_snapshot_trace(snapshot, i));
  }
  fputs(ntrace ? "\n  ]" : "]", out);
  int status = write_allocations(out, snapshot);
  fputs("\n}\n", out);
  return status;
}
