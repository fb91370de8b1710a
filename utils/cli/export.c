/*
 * export.c - tracemalloc export: a snapshot as a Python pickle, collapsed
 * stacks, JSON (json.c), an HTML report (html.c) or a pprof profile
 * (pprof.c).
 */
#include "cli.h"

#include <string.h>

static const char export_usage[] =
    "usage: tracemalloc export FILE --format pickle|collapsed|json|html|pprof "
    "-o OUT [--limit N] [FILTERS] [--peak]\n"
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
    "             biggest first; tracebacks of 0 bytes are left out; two\n"
    "             functions on one line (C++ templates) are two frames\n"
    "  json       the traces, in the snapshot's order (schema below)\n"
    "  html       one self-contained page (no network needed): a chart\n"
    "             of traced memory over time (peak marked), an\n"
    "             interactive icicle flame graph of the live memory by\n"
    "             traceback (click to zoom, hover for size and count) and the\n"
    "             top tables by line and by file\n"
    "\n"
    "options:\n"
    "  --format F   the format of OUT (required)\n"
    "  -o, --output OUT  the file to write (required)\n"
    "  --limit N    rows of each table of the html report (default: 10)\n"
    "  --peak       " CLI_PEAK_HELP "  -h, --help   print this help and exit\n"
    "\n"
    "JSON schema (version 1; new members may be added, none will change):\n"
    "  {\"format\": \"tracemalloc-snapshot\", \"version\": 1,\n"
    "   \"traceback_limit\": INT, \"lost_traces\": INT,\n"
    "   \"timeline\": [[SECONDS, BYTES], ...],\n"
    "   \"traces\": [{\"domain\": INT, \"size\": INT, \"total_nframe\": INT,\n"
    "               \"frames\": [{\"filename\": STR, \"lineno\": INT,\n"
    "                           \"function\": STR}, ...]}, ...]}\n"
    "  frames are oldest first (as a Python Traceback iterates), never\n"
    "  empty; function is \"\" when unknown; bytes of names that are not\n"
    "  UTF-8 become U+FFFD. timeline: traced memory over time, seconds\n"
    "  since tracing started (exact to the nanosecond) and bytes, oldest\n"
    "  first; its largest size is the peak; [] when the file has none.\n"
    "\n"
    "filters (applied first; file filters keep a trace matching any\n"
    "--include and no --exclude; domain filters likewise, "
    "separately):\n" CLI_FILTER_OPTIONS_USAGE;

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

static int write_collapsed(FILE *out, const tracemalloc_snapshot *snapshot,
                           const cli_options *options) {
  (void)options;
  tracemalloc_statistics *statistics =
      cli_statistics_by_function(snapshot, TRACEMALLOC_KEY_TRACEBACK);
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

static cli_writer output_writer(cli_format format) {
  switch (format) {
  case FORMAT_COLLAPSED:
    return write_collapsed;
  case FORMAT_JSON:
    return cli_write_json;
  case FORMAT_PPROF:
    return cli_write_pprof;
  default:
    return cli_write_html;
  }
}

static int export(tracemalloc_snapshot *const *snapshots,
                  const cli_options *options) {
  const tracemalloc_snapshot *snapshot = snapshots[0];
  cli_progress_phase("writing %s", options->output);
  int status;
  if (options->format == FORMAT_PICKLE)
    status = tracemalloc_snapshot_dump_pickle(snapshot, options->output) < 0
                 ? cli_fail("%s", tracemalloc_last_error())
                 : 0;
  else
    status = cli_write_output(options->output, output_writer(options->format),
                              snapshot, options);
  cli_progress_done();
  return status;
}

const cli_command cli_export = {
    .name = "export",
    .summary =
        "write a snapshot as pickle, collapsed stacks, JSON, HTML, pprof",
    .usage = export_usage,
    .options = OPT_FORMAT | OPT_OUTPUT | OPT_LIMIT | OPT_FILTERS | OPT_PEAK,
    .snapshots = {"FILE"},
    .nsnapshot = 1,
    .run = export,
};
