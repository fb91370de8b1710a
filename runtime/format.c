/*
 * format.c - the text of Python's tracemalloc: _format_size(), str(Frame),
 * str(Statistic).
 *
 * Every formatter appends to a "text" that behaves like snprintf: it writes
 * what fits, always terminates, and counts the full length, so callers can
 * size a buffer with a first call.
 */
#include "tm_internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

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

/* str(Traceback) is str() of its first frame, the oldest one. */
static void append_traceback(text *text,
                             const tracemalloc_traceback *traceback) {
  append_frame(text, traceback->frames[0]);
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
  if (statistic->count) {
    text_append(&text, ", average=");
    append_size(&text, true_divide(statistic->size, statistic->count), 0);
  }
  return text_finish(&text);
}
