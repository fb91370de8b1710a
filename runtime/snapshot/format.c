/*
 * format.c - the text of Python's tracemalloc: _format_size(), str(Frame),
 * str(Traceback), str(Trace), str(Statistic), str(StatisticDiff) and
 * Traceback.format(); and Traceback.format() with the functions named, as
 * Python's traceback module prints a stack.
 *
 * Every formatter appends to a "text" that behaves like snprintf: it writes
 * what fits, always terminates, and counts the full length, so callers can
 * size a buffer with a first call.
 */
#include "source_lines.h"
#include "tm_common.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct text {
  char *buf;
  size_t size;   /* of buf */
  size_t length; /* of the full text, even past size */
} text;

static text text_start(char *buf, size_t size) {
  if (size)
    buf[0] = '\0';
  return (text){buf, size, 0};
}

__attribute__((format(printf, 2, 3))) static void
text_append(text *text, const char *fmt, ...) {
  size_t room = text->length < text->size ? text->size - text->length : 0;
  va_list args;
  va_start(args, fmt);
  int n = vsnprintf(room ? text->buf + text->length : NULL, room, fmt, args);
  va_end(args);
  if (n > 0)
    text->length += (size_t)n;
}

static int text_finish(const text *text) {
  return text->length <= INT_MAX ? (int)text->length : -1;
}

/* Python's _format_size(size, sign). Python divides with true division, so
 * from the second unit on the size is a float: doing the arithmetic in
 * double from the start gives the same numbers, because the integer part
 * is only compared with 10 * 1024 and dividing by 1024 is exact in binary
 * floating point. printf and Python round the same way (correctly, ties to
 * even on the exact binary value). */
static void append_size(text *text, double size, int sign) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  const size_t last = sizeof(units) / sizeof(units[0]) - 1;
  for (size_t unit = 0;; unit++) {
    double magnitude = size < 0 ? -size : size;
    if (magnitude < 100 && unit != 0) {
      /* 3 digits (xx.x UNIT) */
      text_append(text, sign ? "%+.1f %s" : "%.1f %s", size, units[unit]);
      return;
    }
    if (magnitude < 10 * 1024 || unit == last) {
      /* 4 or 5 digits (xxxx UNIT) */
      text_append(text, sign ? "%+.0f %s" : "%.0f %s", size, units[unit]);
      return;
    }
    size /= 1024;
  }
}

static int bit_length(uint64_t value) {
  return value ? 64 - __builtin_clzll(value) : 0;
}

/* numerator / denominator rounded once to the nearest double, as Python's
 * int / int is. Converting both to double first would round up to three
 * times when they exceed 2**53. */
static double true_divide(uint64_t numerator, uint64_t denominator) {
  const uint64_t exact_limit = (uint64_t)1 << 53;
  if (numerator <= exact_limit && denominator <= exact_limit)
    return (double)numerator / (double)denominator;
  /* Make an integer quotient of 56 or 57 bits, then fold the remainder into
   * its lowest bit ("sticky" bit): rounding that to 53 bits rounds the
   * exact quotient. */
  int shift = 56 + bit_length(denominator) - bit_length(numerator);
  if (shift <= 0) {
    uint64_t quotient = numerator / denominator;
    return (double)(quotient | (numerator % denominator != 0));
  }
  unsigned __int128 scaled = (unsigned __int128)numerator << shift;
  uint64_t quotient = (uint64_t)(scaled / denominator);
  quotient |= scaled % denominator != 0;
  /* Dividing by a power of two is exact. */
  return (double)quotient / (double)((unsigned __int128)1 << shift);
}

static void append_frame(text *text, const tracemalloc_frame *frame) {
  text_append(text, "%s:%u", frame->filename, frame->lineno);
}

/* str(Traceback) is str() of its first frame, the oldest one. (Python
 * raises IndexError for a traceback without frames, which a snapshot never
 * has; a hand-made one gives "".) */
static void append_traceback(text *text,
                             const tracemalloc_traceback *traceback) {
  if (traceback->nframe)
    append_frame(text, traceback->frames[0]);
}

/* ", average=AVG" when there is a count, as Statistic and StatisticDiff
 * end. */
static void append_average(text *text, size_t size, size_t count) {
  if (count) {
    text_append(text, ", average=");
    append_size(text, true_divide(size, count), 0);
  }
}

int tracemalloc_format_size(char *buf, size_t bufsize, int64_t size, int sign) {
  text text = text_start(buf, bufsize);
  append_size(&text, (double)size, sign);
  return text_finish(&text);
}

int tracemalloc_frame_format(char *buf, size_t bufsize,
                             const tracemalloc_frame *frame) {
  text text = text_start(buf, bufsize);
  append_frame(&text, frame);
  return text_finish(&text);
}

int tracemalloc_statistic_format(char *buf, size_t bufsize,
                                 const tracemalloc_statistic *statistic) {
  text text = text_start(buf, bufsize);
  append_traceback(&text, statistic->traceback);
  text_append(&text, ": size=");
  append_size(&text, (double)statistic->size, 0);
  text_append(&text, ", count=%zu", statistic->count);
  append_average(&text, statistic->size, statistic->count);
  return text_finish(&text);
}

int tracemalloc_allocation_statistic_format(
    char *buf, size_t bufsize,
    const tracemalloc_allocation_statistic *statistic) {
  text text = text_start(buf, bufsize);
  append_traceback(&text, statistic->traceback);
  text_append(&text,
              ": allocations=%" PRIu64 ", allocated=", statistic->allocations);
  append_size(&text, (double)statistic->allocated, 0);
  text_append(&text, ", temporary=%" PRIu64, statistic->temporary);
  return text_finish(&text);
}

int tracemalloc_statistic_diff_format(char *buf, size_t bufsize,
                                      const tracemalloc_statistic_diff *diff) {
  text text = text_start(buf, bufsize);
  append_traceback(&text, diff->traceback);
  text_append(&text, ": size=");
  append_size(&text, (double)diff->size, 0);
  text_append(&text, " (");
  append_size(&text, (double)diff->size_diff, 1);
  text_append(&text, "), count=%zu (%+" PRId64 ")", diff->count,
              diff->count_diff);
  append_average(&text, diff->size, diff->count);
  return text_finish(&text);
}

int tracemalloc_trace_format(char *buf, size_t bufsize,
                             const tracemalloc_trace *trace) {
  text text = text_start(buf, bufsize);
  append_traceback(&text, trace->traceback);
  text_append(&text, ": ");
  append_size(&text, (double)trace->size, 0);
  return text_finish(&text);
}

int tracemalloc_traceback_str(char *buf, size_t bufsize,
                              const tracemalloc_traceback *traceback) {
  text text = text_start(buf, bufsize);
  append_traceback(&text, traceback);
  return text_finish(&text);
}

/* ---- Traceback.format() ---- */

/* The frames [*first, *end) that Traceback.format(limit) shows: None keeps
 * all, limit > 0 the limit most recent (self[-limit:]), limit <= 0 drops
 * -limit most recent (self[:limit], so 0 keeps none). */
static void select_frames(unsigned int nframe, int has_limit, int limit,
                          size_t *first, size_t *end) {
  long n = nframe;
  *first = 0;
  *end = nframe;
  if (!has_limit)
    return;
  if (limit > 0)
    *first = (size_t)((long)limit < n ? n - limit : 0);
  else if (limit == 0)
    *end = 0; /* self[:0], not self[:n - 0] */
  else
    *end = (size_t)(n + limit > 0 ? n + limit : 0);
}

/* Appends one line, NUL included, at *at (when text is not NULL: the
 * first pass only measures); returns where it starts. */
__attribute__((format(printf, 3, 4))) static char *
put_line(char *text, size_t *at, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  int length = vsnprintf(NULL, 0, fmt, args);
  va_end(args);
  if (length < 0)
    length = 0;
  char *line = text ? text + *at : NULL;
  if (line) {
    va_start(args, fmt);
    vsnprintf(line, (size_t)length + 1, fmt, args);
    va_end(args);
  }
  *at += (size_t)length + 1;
  return line;
}

/* The shown frames and their source lines, looked up once so that both
 * passes see the same lines. */
typedef struct shown_frames {
  const tracemalloc_frame **frames;
  const char **sources;
  size_t n;
  int with_functions;
} shown_frames;

/* A frame's first line: '  File "FILE", line N' as Traceback.format()
 * writes it, or with ", in FUNCTION" as traceback.format_list() does, when
 * the function is known. */
static char *put_frame_line(char *text, size_t *at,
                            const tracemalloc_frame *frame,
                            int with_functions) {
  if (with_functions && frame->function && *frame->function)
    return put_line(text, at, "  File \"%s\", line %u, in %s", frame->filename,
                    frame->lineno, frame->function);
  return put_line(text, at, "  File \"%s\", line %u", frame->filename,
                  frame->lineno);
}

/* traceback.format_list() shows a run of one frame (same file, line and
 * function: a recursion) three times, then says how many more there were
 * (StackSummary.format(), _RECURSIVE_CUTOFF). */
enum { RECURSIVE_CUTOFF = 3 };

static int same_frame_text(const tracemalloc_frame *a,
                           const tracemalloc_frame *b) {
  const char *function_a = a->function ? a->function : "";
  const char *function_b = b->function ? b->function : "";
  return a == b ||
         (a->lineno == b->lineno && strcmp(a->filename, b->filename) == 0 &&
          strcmp(function_a, function_b) == 0);
}

/* Appends one line to the array being made (lines NULL: only counted). */
static void add_line(char **lines, size_t *nlines, char *line) {
  if (lines)
    lines[*nlines] = line;
  (*nlines)++;
}

static void put_repeats(char **lines, size_t *nlines, char *text, size_t *bytes,
                        size_t repeats) {
  if (repeats <= RECURSIVE_CUTOFF)
    return;
  repeats -= RECURSIVE_CUTOFF;
  add_line(lines, nlines,
           put_line(text, bytes, "  [Previous line repeated %zu more time%s]",
                    repeats, repeats > 1 ? "s" : ""));
}

/* The lines of the frames in the order shown: the frame's line then, if
 * the source line is not blank, '    SOURCE'; with the functions, long
 * runs of one frame cut short. With lines NULL, only counts the lines and
 * their bytes (*bytes). */
static size_t put_frames(const shown_frames *shown, char **lines, char *text,
                         size_t *bytes) {
  size_t nlines = 0, repeats = 0;
  *bytes = 0;
  for (size_t i = 0; i < shown->n; i++) {
    if (shown->with_functions) {
      if (i > 0 && !same_frame_text(shown->frames[i - 1], shown->frames[i])) {
        put_repeats(lines, &nlines, text, bytes, repeats);
        repeats = 0;
      }
      if (++repeats > RECURSIVE_CUTOFF)
        continue;
    }
    add_line(
        lines, &nlines,
        put_frame_line(text, bytes, shown->frames[i], shown->with_functions));
    if (shown->sources[i])
      add_line(lines, &nlines,
               put_line(text, bytes, "    %s", shown->sources[i]));
  }
  put_repeats(lines, &nlines, text, bytes, repeats);
  return nlines;
}

static int show_frames(shown_frames *shown,
                       const tracemalloc_traceback *traceback, int has_limit,
                       int limit, int most_recent_first) {
  size_t first, end;
  select_frames(traceback->nframe, has_limit, limit, &first, &end);
  shown->n = end - first;
  shown->frames = tm_raw_malloc((shown->n + 1) * sizeof(*shown->frames));
  shown->sources = tm_raw_malloc((shown->n + 1) * sizeof(*shown->sources));
  if (!shown->frames || !shown->sources)
    return -1;
  for (size_t k = 0; k < shown->n; k++) {
    size_t i = most_recent_first ? end - 1 - k : first + k;
    shown->frames[k] = traceback->frames[i];
    shown->sources[k] = tm_source_line(traceback->frames[i]->filename,
                                       traceback->frames[i]->lineno);
  }
  return 0;
}

/* One block, the pointers first, so tracemalloc_lines_free() is one free. */
static char **make_lines(const shown_frames *shown, size_t *nlines) {
  size_t bytes;
  size_t count = put_frames(shown, NULL, NULL, &bytes);
  size_t pointers = (count + 1) * sizeof(char *);
  char **lines = tm_raw_malloc(pointers + bytes);
  if (!lines)
    return NULL;
  put_frames(shown, lines, (char *)lines + pointers, &bytes);
  lines[count] = NULL;
  if (nlines)
    *nlines = count;
  return lines;
}

static char **format_traceback(const tracemalloc_traceback *traceback,
                               int has_limit, int limit, int most_recent_first,
                               int with_functions, size_t *nlines) {
  shown_frames shown = {.with_functions = with_functions};
  char **lines = NULL;
  if (show_frames(&shown, traceback, has_limit, limit, most_recent_first) == 0)
    lines = make_lines(&shown, nlines);
  tm_raw_free(shown.frames);
  tm_raw_free(shown.sources);
  if (!lines)
    tm_set_error("out of memory while formatting a traceback");
  return lines;
}

char **tracemalloc_traceback_format(const tracemalloc_traceback *traceback,
                                    int has_limit, int limit,
                                    int most_recent_first, size_t *nlines) {
  return format_traceback(traceback, has_limit, limit, most_recent_first, 0,
                          nlines);
}

char **tracemalloc_traceback_format_with_functions(
    const tracemalloc_traceback *traceback, int has_limit, int limit,
    int most_recent_first, size_t *nlines) {
  return format_traceback(traceback, has_limit, limit, most_recent_first, 1,
                          nlines);
}

void tracemalloc_lines_free(char **lines) { tm_raw_free(lines); }
