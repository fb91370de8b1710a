/*
 * export.c - tracemalloc export: a snapshot as a Python pickle, collapsed
 * stacks, JSON or an HTML report (html.c).
 */
#include "cli.h"

#include <stdint.h>
#include <string.h>

static const cli_spec export_spec = {
    "export",
    "usage: tracemalloc export FILE --format pickle|collapsed|json|html "
    "-o OUT [--limit N] [FILTERS]\n"
    "\n"
    "Write the snapshot FILE in another format to OUT (\"-o -\": stdout,\n"
    "except for pickle). OUT is written to a temporary file and renamed.\n"
    "\n"
    "formats:\n"
    "  pickle     what Python's tracemalloc.Snapshot.load(OUT) reads\n"
    "  collapsed  one line per traceback for flamegraph.pl or speedscope:\n"
    "             \"FRAME;FRAME;...;FRAME SIZE\", the oldest frame first, a\n"
    "             frame as \"FUNCTION (FILE:LINE)\" (\"FILE:LINE\" when the\n"
    "             function is unknown; ';' in names becomes ':'); SIZE is\n"
    "             the total size in bytes of the live blocks allocated there;\n"
    "             biggest first; tracebacks of 0 bytes are left out\n"
    "  json       the traces, in the snapshot's order (schema below)\n"
    "  html       one self-contained page (no network needed): an\n"
    "             interactive icicle flame graph of the live memory by\n"
    "             traceback (click to zoom, hover for size and count) and the\n"
    "             top tables by line and by file\n"
    "\n"
    "options:\n"
    "  --format F   the format of OUT (required)\n"
    "  -o, --output OUT  the file to write (required)\n"
    "  --limit N    rows of each table of the html report (default: 10)\n"
    "  -h, --help   print this help and exit\n"
    "\n"
    "JSON schema (version 1; new members may be added, none will change):\n"
    "  {\"format\": \"tracemalloc-snapshot\", \"version\": 1,\n"
    "   \"traceback_limit\": INT, \"lost_traces\": INT,\n"
    "   \"traces\": [{\"domain\": INT, \"size\": INT, \"total_nframe\": INT,\n"
    "               \"frames\": [{\"filename\": STR, \"lineno\": INT,\n"
    "                           \"function\": STR}, ...]}, ...]}\n"
    "  frames are oldest first (as a Python Traceback iterates), never\n"
    "  empty; function is \"\" when unknown; bytes of names that are not\n"
    "  UTF-8 become U+FFFD.\n"
    "\n"
    "filters (applied first; file filters keep a trace matching any\n"
    "--include and no --exclude; domain filters likewise, separately):\n"
    "  --include PATTERN[:LINE]  keep the traces whose most recent frame is "
    "in\n"
    "                            a file matching the fnmatch PATTERN (at "
    "LINE)\n"
    "  --exclude PATTERN[:LINE]  drop those traces\n"
    "  --all-frames              --include/--exclude look at every frame\n"
    "  --domain N                keep the traces of domain N\n"
    "  --exclude-domain N        drop the traces of domain N\n",
    OPT_FORMAT | OPT_OUTPUT | OPT_LIMIT | OPT_FILTERS,
    {"FILE", NULL},
    1};

/* ---- JSON strings ---- */

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_length(const unsigned char *s) {
  if (s[0] < 0x80)
    return 1;
  size_t length = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
  if (length == 0 || s[0] > 0xf4)
    return 0;
  for (size_t i = 1; i < length; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  }
  /* Overlong forms, surrogates and code points above U+10FFFF. */
  if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
      (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
    return 0;
  return length;
}

static int needs_escape(unsigned char c, int html_safe) {
  return c < 0x20 || c == '"' || c == '\\' ||
         (html_safe && (c == '<' || c == '>' || c == '&'));
}

void cli_json_string(FILE *out, const char *text, int html_safe) {
  const unsigned char *s = (const unsigned char *)text;
  putc('"', out);
  while (*s) {
    size_t run = 0;
    while (s[run] && s[run] < 0x80 && !needs_escape(s[run], html_safe))
      run++;
    fwrite(s, 1, run, out);
    s += run;
    if (!*s)
      break;
    size_t length = utf8_length(s);
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

/* ---- JSON ---- */

static void write_json_frame(FILE *out, const tracemalloc_frame *frame) {
  fputs("{\"filename\": ", out);
  cli_json_string(out, frame->filename, 0);
  fprintf(out, ", \"lineno\": %u, \"function\": ", frame->lineno);
  cli_json_string(out, frame->function ? frame->function : "", 0);
  putc('}', out);
}

static void write_json_trace(FILE *out, const tracemalloc_trace *trace) {
  const tracemalloc_traceback *traceback = trace->traceback;
  fprintf(out,
          "    {\"domain\": %u, \"size\": %zu, \"total_nframe\": %u, "
          "\"frames\": [",
          trace->domain, trace->size, traceback->total_nframe);
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    if (i > 0)
      fputs(", ", out);
    write_json_frame(out, traceback->frames[i]);
  }
  fputs("]}", out);
}

static int write_json(FILE *out, const tracemalloc_snapshot *snapshot) {
  size_t ntrace = tracemalloc_snapshot_trace_count(snapshot);
  fprintf(out,
          "{\n  \"format\": \"tracemalloc-snapshot\",\n  \"version\": 1,\n"
          "  \"traceback_limit\": %u,\n  \"lost_traces\": %llu,\n"
          "  \"traces\": [",
          tracemalloc_snapshot_traceback_limit(snapshot),
          (unsigned long long)tracemalloc_snapshot_lost_traces(snapshot));
  for (size_t i = 0; i < ntrace; i++) {
    fputs(i > 0 ? ",\n" : "\n", out);
    write_json_trace(out, tracemalloc_snapshot_trace(snapshot, i));
  }
  fputs(ntrace ? "\n  ]\n}\n" : "]\n}\n", out);
  return 0;
}

/* ---- Collapsed stacks ---- */

static void write_collapsed_name(FILE *out, const char *name) {
  for (const char *p = name;;) {
    size_t run = strcspn(p, ";\n\r");
    fwrite(p, 1, run, out);
    p += run;
    if (!*p)
      return;
    putc(*p == ';' ? ':' : ' ', out);
    p++;
  }
}

static void write_collapsed_frame(FILE *out, const tracemalloc_frame *frame) {
  int has_function = frame->function && *frame->function;
  if (has_function) {
    write_collapsed_name(out, frame->function);
    fputs(" (", out);
  }
  write_collapsed_name(out, frame->filename);
  fprintf(out, ":%u", frame->lineno);
  if (has_function)
    putc(')', out);
}

static int write_collapsed(FILE *out, const tracemalloc_snapshot *snapshot) {
  cli_options options = cli_options_default();
  options.key_type = TRACEMALLOC_KEY_TRACEBACK;
  tracemalloc_statistics *statistics = cli_statistics(snapshot, &options);
  if (!statistics)
    return EXIT_ERROR;
  for (size_t i = 0; i < statistics->count; i++) {
    const tracemalloc_statistic *statistic = &statistics->items[i];
    if (statistic->size == 0)
      continue;
    const tracemalloc_traceback *traceback = statistic->traceback;
    for (unsigned int j = 0; j < traceback->nframe; j++) {
      if (j > 0)
        putc(';', out);
      write_collapsed_frame(out, traceback->frames[j]);
    }
    fprintf(out, " %zu\n", statistic->size);
  }
  tracemalloc_statistics_free(statistics);
  return 0;
}

/* ---- export ---- */

static int write_pickle(const tracemalloc_snapshot *snapshot,
                        const char *path) {
  cli_progress_phase("writing %s", path);
  int result = tracemalloc_snapshot_dump_pickle(snapshot, path);
  cli_progress_done();
  return result < 0 ? cli_fail("%s", tracemalloc_last_error()) : 0;
}

static int write_text(const tracemalloc_snapshot *snapshot,
                      const cli_options *options) {
  cli_output output;
  if (cli_output_open(&output, options->output) != 0)
    return EXIT_ERROR;
  cli_progress_phase("writing %s", options->output);
  int status;
  if (options->format == FORMAT_COLLAPSED)
    status = write_collapsed(output.file, snapshot);
  else if (options->format == FORMAT_JSON)
    status = write_json(output.file, snapshot);
  else
    status = cli_write_html(output.file, snapshot, options);
  cli_progress_done();
  return cli_output_close(&output, status);
}

static int export(const cli_options *options) {
  tracemalloc_snapshot *snapshot = cli_load(options->paths[0], options);
  if (!snapshot)
    return EXIT_ERROR;
  int status = options->format == FORMAT_PICKLE
                   ? write_pickle(snapshot, options->output)
                   : write_text(snapshot, options);
  tracemalloc_snapshot_free(snapshot);
  return status;
}

int cli_run_export(int argc, char **argv) {
  cli_options options = cli_options_default();
  int status = cli_parse(&export_spec, argc, argv, &options);
  if (status == CLI_HELP)
    status = cli_finish_output();
  else if (status == CLI_OK)
    status = export(&options);
  cli_options_fini(&options);
  return status;
}
