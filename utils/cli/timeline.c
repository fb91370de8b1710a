/*
 * timeline.c - the HTML report's chart of traced memory over time: an
 * inline SVG drawn here (no script needed), x in seconds since tracing
 * started, y in bytes, the peak marked, above the flame graph.
 *
 * The chart's numbers are also in the page, for tests and for readers: the
 * summary line says "peak SIZE at S s", and its data-* attributes hold the
 * peak's exact bytes and seconds, the number of points and the last
 * point's seconds. Colours are fixed (the line LINE_COLOUR, the peak
 * PEAK_COLOUR), away from the flame graph's reds and yellows, so a
 * screenshot test finds them.
 */
#include "cli.h"

#include <stdint.h>

#define LINE_COLOUR "#1f5fbf"
#define PEAK_COLOUR "#b000c0"

/* The plot area inside the SVG, in pixels. */
enum {
  WIDTH = 800,
  HEIGHT = 240,
  LEFT = 90, /* room for the size labels */
  RIGHT = 20,
  TOP = 15,
  BOTTOM = 35, /* room for the time labels */
  PLOT_WIDTH = WIDTH - LEFT - RIGHT,
  PLOT_HEIGHT = HEIGHT - TOP - BOTTOM,
};

typedef struct scale {
  uint64_t end_ns; /* the last point's time, at the right edge (>= 1) */
  uint64_t top;    /* the peak, at the top edge (>= 1) */
} scale;

static double x_of(const scale *scale, uint64_t ns) {
  return LEFT + (double)PLOT_WIDTH * (double)ns / (double)scale->end_ns;
}

static double y_of(const scale *scale, uint64_t size) {
  return TOP + PLOT_HEIGHT -
         (double)PLOT_HEIGHT * (double)size / (double)scale->top;
}

/* Seconds for people: milliseconds shown. */
typedef struct short_seconds {
  char text[32];
} short_seconds;

static short_seconds seconds_shown(uint64_t ns) {
  short_seconds shown;
  snprintf(shown.text, sizeof(shown.text), "%.3f", (double)ns / 1e9);
  return shown;
}

static void write_axes(FILE *out, const scale *scale) {
  char size[64];
  fprintf(out,
          "<g stroke=\"#888\" stroke-width=\"1\">"
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
          LEFT, TOP, LEFT, TOP + PLOT_HEIGHT, LEFT, TOP + PLOT_HEIGHT,
          LEFT + PLOT_WIDTH, TOP + PLOT_HEIGHT);
  fputs("<g font-size=\"11\" fill=\"#444\" font-family=\"sans-serif\">", out);
  for (int i = 0; i <= 2; i++) {
    uint64_t bytes = scale->top * (uint64_t)i / 2;
    fprintf(out,
            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
            "dominant-baseline=\"middle\">%s</text>",
            LEFT - 6, y_of(scale, bytes), cli_size(size, sizeof(size), bytes));
  }
  fprintf(out,
          "<text x=\"%d\" y=\"%d\" text-anchor=\"start\">0 s</text>"
          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s s</text></g>\n",
          LEFT, HEIGHT - 12, LEFT + PLOT_WIDTH, HEIGHT - 12,
          seconds_shown(scale->end_ns).text);
}

static void write_line(FILE *out, const scale *scale,
                       const tracemalloc_timeline_point *points, size_t count) {
  fprintf(out,
          "<polyline id=\"timeline-line\" fill=\"none\" stroke=\"%s\" "
          "stroke-width=\"2\" stroke-linejoin=\"round\" points=\"",
          LINE_COLOUR);
  for (size_t i = 0; i < count; i++)
    fprintf(out, "%s%.1f,%.1f", i ? " " : "",
            x_of(scale, points[i].nanoseconds), y_of(scale, points[i].size));
  fputs("\"/>\n", out);
}

/* A snapshot's timeline, its peak (the first point of the largest size)
 * and its last point. */
typedef struct timeline {
  const tracemalloc_timeline_point *points, *peak, *last;
  size_t count;
} timeline;

/* 0 when the snapshot has no timeline. */
static int timeline_of(const tracemalloc_snapshot *snapshot, timeline *t) {
  t->points = tracemalloc_snapshot_timeline(snapshot, &t->count);
  if (!t->count)
    return 0;
  t->peak = &t->points[0];
  for (size_t i = 1; i < t->count; i++)
    if (t->points[i].size > t->peak->size)
      t->peak = &t->points[i];
  t->last = &t->points[t->count - 1];
  return 1;
}

void cli_print_timeline_stats(const tracemalloc_snapshot *snapshot) {
  timeline t;
  if (!timeline_of(snapshot, &t))
    return;
  char size[64];
  printf("timeline: %zu points over %s s, peak %s (%llu bytes) at %s s\n",
         t.count, cli_seconds(t.last->nanoseconds).text,
         cli_size(size, sizeof(size), t.peak->size),
         (unsigned long long)t.peak->size,
         cli_seconds(t.peak->nanoseconds).text);
}

void cli_write_timeline(FILE *out, const tracemalloc_snapshot *snapshot) {
  timeline t;
  if (!timeline_of(snapshot, &t))
    return;
  const tracemalloc_timeline_point *points = t.points, *peak = t.peak;
  size_t count = t.count;
  uint64_t end_ns = points[count - 1].nanoseconds;
  scale scale = {end_ns ? end_ns : 1, peak->size ? peak->size : 1};
  char size[64];
  cli_size(size, sizeof(size), peak->size);
  cli_seconds_text at = cli_seconds(peak->nanoseconds);
  short_seconds at_shown = seconds_shown(peak->nanoseconds);
  fprintf(out,
          "<section id=\"timeline\">\n<h2>Traced memory over time</h2>\n"
          "<p id=\"timeline-summary\" class=\"help\" data-peak-bytes=\"%llu\" "
          "data-peak-seconds=\"%s\" data-points=\"%zu\" "
          "data-end-seconds=\"%s\">peak %s at %s s; %zu points over %s s</p>\n"
          "<svg id=\"timeline-chart\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
          (unsigned long long)peak->size, at.text, count,
          cli_seconds(end_ns).text, size, at_shown.text, count,
          seconds_shown(end_ns).text, WIDTH, HEIGHT, WIDTH, HEIGHT);
  write_axes(out, &scale);
  write_line(out, &scale, points, count);
  fprintf(out,
          "<circle id=\"timeline-peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" "
          "fill=\"%s\"><title>peak %s at %s s</title></circle>\n"
          "</svg>\n</section>\n",
          x_of(&scale, peak->nanoseconds), y_of(&scale, peak->size),
          PEAK_COLOUR, size, at_shown.text);
}
