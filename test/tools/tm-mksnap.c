/*
 * tm-mksnap - write a .tms snapshot from a text description (tests only).
 *
 *   tm-mksnap IN.txt OUT.tms      (IN.txt may be "-" for stdin)
 *
 * One item per line; blank lines and '#' comments are ignored:
 *
 *   limit N        traceback limit (default: the deepest traceback, >= 1)
 *   lost N         lost traces (default 0)
 *   trace DOMAIN SIZE FILE:LINE[:FUNCTION] [FILE:LINE[:FUNCTION] ...]
 *         [total=N]
 *   point NANOSECONDS BYTES   a point of the timeline, in order
 *
 * A trace lists its frames most recent first, like Python's raw traces;
 * total=N is total_nframe (default: the number of frames). FILE ends at
 * the first ':' followed by digits and then ':' or the end of the token,
 * so a FUNCTION may contain "::". Fields are separated by blanks, so names
 * cannot contain any.
 *
 * The snapshot is made with the runtime's own builder and written with
 * tracemalloc_snapshot_dump(), so the files are exactly what a traced
 * program writes.
 */
#include "snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_ERROR = 2, MAX_TOKENS = TRACEMALLOC_MAX_NFRAME + 4 };

static const char *input_name;

__attribute__((format(printf, 2, 3), noreturn)) static void
die(unsigned long lineno, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  if (lineno)
    fprintf(stderr, "tm-mksnap: %s:%lu: ", input_name, lineno);
  else
    fputs("tm-mksnap: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
  exit(EXIT_ERROR);
}

static char *read_input(const char *path) {
  FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!in)
    die(0, "%s: %s", path, strerror(errno));
  size_t size = 0, capacity = 1 << 16;
  char *text = malloc(capacity);
  for (;;) {
    if (!text)
      die(0, "out of memory");
    size += fread(text + size, 1, capacity - size - 1, in);
    if (size < capacity - 1)
      break;
    capacity *= 2;
    text = realloc(text, capacity);
  }
  if (ferror(in))
    die(0, "%s: read error", path);
  if (in != stdin)
    fclose(in);
  text[size] = '\0';
  return text;
}

/* ---- Lines and tokens (NUL-terminated in place) ---- */

typedef struct line {
  unsigned long lineno;
  int ntoken;
  char *tokens[MAX_TOKENS];
} line;

/* Split the next line of *cursor into tokens; 0 at the end of the text. */
static int next_line(char **cursor, line *line) {
  if (!**cursor)
    return 0;
  char *text = *cursor;
  char *end = strchr(text, '\n');
  *cursor = end ? end + 1 : text + strlen(text);
  if (end)
    *end = '\0';
  line->lineno++;
  line->ntoken = 0;
  for (char *token = strtok(text, " \t\r"); token && token[0] != '#';
       token = strtok(NULL, " \t\r")) {
    if (line->ntoken == MAX_TOKENS)
      die(line->lineno, "too many fields");
    line->tokens[line->ntoken++] = token;
  }
  return 1;
}

static uint64_t parse_number(const line *line, const char *text,
                             const char *what, uint64_t max) {
  char *end;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (!*text || *end || text[0] == '-' || errno || value > max)
    die(line->lineno, "bad %s '%s' (expected 0 to %" PRIu64 ")", what, text,
        max);
  return value;
}

/* ---- Frames ---- */

typedef struct frame_text {
  char *filename;
  unsigned int lineno;
  const char *function; /* NULL when not given */
} frame_text;

/* "FILE:LINE[:FUNCTION]", split in place. */
static void parse_frame(const line *line, char *token, frame_text *frame) {
  for (char *colon = strchr(token, ':'); colon;
       colon = strchr(colon + 1, ':')) {
    size_t digits = strspn(colon + 1, "0123456789");
    char after = colon[1 + digits];
    if (digits == 0 || (after != '\0' && after != ':'))
      continue;
    *colon = '\0';
    colon[1 + digits] = '\0';
    frame->filename = token;
    frame->lineno =
        (unsigned int)parse_number(line, colon + 1, "line number", UINT32_MAX);
    frame->function = after == ':' ? colon + 2 + digits : NULL;
    return;
  }
  die(line->lineno, "bad frame '%s' (expected FILE:LINE[:FUNCTION])", token);
}

/* ---- Items ---- */

typedef struct settings {
  unsigned int traceback_limit;
  uint64_t lost_traces;
} settings;

/* First pass: the header values, which the builder needs first. */
static settings read_settings(char *text) {
  settings settings = {0, 0};
  unsigned int deepest = 1;
  static line line; /* too big for the stack */
  line.lineno = 0;
  int limit_given = 0;
  while (next_line(&text, &line)) {
    if (line.ntoken == 0)
      continue;
    const char *keyword = line.tokens[0];
    if (strcmp(keyword, "limit") == 0 && line.ntoken == 2) {
      settings.traceback_limit = (unsigned int)parse_number(
          &line, line.tokens[1], "limit", TRACEMALLOC_MAX_NFRAME);
      limit_given = 1;
    } else if (strcmp(keyword, "lost") == 0 && line.ntoken == 2) {
      settings.lost_traces =
          parse_number(&line, line.tokens[1], "lost count", UINT64_MAX);
    } else if (strcmp(keyword, "point") == 0 && line.ntoken == 3) {
      continue;
    } else if (strcmp(keyword, "trace") == 0 && line.ntoken >= 4) {
      int nframe = line.ntoken - 3;
      if (strncmp(line.tokens[line.ntoken - 1], "total=", 6) == 0)
        nframe--;
      if (nframe > 0 && (unsigned int)nframe > deepest)
        deepest = (unsigned int)nframe;
    } else {
      die(line.lineno, "expected 'limit N', 'lost N', 'point NS BYTES' or "
                       "'trace DOMAIN SIZE FRAME... [total=N]'");
    }
  }
  if (!limit_given)
    settings.traceback_limit = deepest;
  return settings;
}

static void builder_failed(tm_snapshot_builder *builder, const line *line) {
  const char *message = tracemalloc_last_error();
  tm_builder_abort(builder);
  die(line->lineno, "%s", message);
}

static void add_trace(tm_snapshot_builder *builder, const line *line) {
  static const tracemalloc_frame *frames[TRACEMALLOC_MAX_NFRAME];
  unsigned int domain =
      (unsigned int)parse_number(line, line->tokens[1], "domain", UINT32_MAX);
  uint64_t size = parse_number(line, line->tokens[2], "size", SIZE_MAX);
  int nframe = line->ntoken - 3;
  unsigned int total_nframe = 0;
  int has_total = strncmp(line->tokens[line->ntoken - 1], "total=", 6) == 0;
  if (has_total) {
    nframe--;
    total_nframe =
        (unsigned int)parse_number(line, line->tokens[line->ntoken - 1] + 6,
                                   "total", TRACEMALLOC_MAX_NFRAME);
  }
  if (nframe < 1 || nframe > TRACEMALLOC_MAX_NFRAME)
    die(line->lineno, "a trace needs 1 to %d frames", TRACEMALLOC_MAX_NFRAME);
  for (int i = 0; i < nframe; i++) {
    frame_text text;
    parse_frame(line, line->tokens[3 + i], &text);
    /* Listed most recent first; the builder wants the oldest first. */
    frames[nframe - 1 - i] =
        tm_builder_frame(builder, text.filename, text.lineno, text.function);
    if (!frames[nframe - 1 - i])
      builder_failed(builder, line);
  }
  const tracemalloc_traceback *traceback =
      tm_builder_traceback(builder, frames, (unsigned int)nframe,
                           has_total ? total_nframe : (unsigned int)nframe);
  if (!traceback ||
      tm_builder_add_trace(builder, domain, (size_t)size, traceback) < 0)
    builder_failed(builder, line);
}

/* The timeline's points, as given (the loader checks their order). */
static void add_point(tm_snapshot_builder *builder, const line *line) {
  tracemalloc_snapshot *snapshot = tm_builder_snapshot(builder);
  tracemalloc_timeline_point *points = tm_raw_realloc(
      snapshot->timeline, (snapshot->ntimeline + 1) * sizeof(*points));
  if (!points)
    die(line->lineno, "out of memory");
  points[snapshot->ntimeline].nanoseconds =
      parse_number(line, line->tokens[1], "nanoseconds", UINT64_MAX);
  points[snapshot->ntimeline].size =
      parse_number(line, line->tokens[2], "bytes", UINT64_MAX);
  snapshot->timeline = points;
  snapshot->ntimeline++;
}

/* Second pass: the traces and the timeline. */
static tracemalloc_snapshot *build_snapshot(char *text, settings settings) {
  tm_snapshot_builder *builder =
      tm_builder_new(settings.traceback_limit, settings.lost_traces);
  if (!builder)
    die(0, "%s", tracemalloc_last_error());
  static line line; /* too big for the stack */
  line.lineno = 0;
  while (next_line(&text, &line)) {
    if (line.ntoken > 0 && strcmp(line.tokens[0], "trace") == 0)
      add_trace(builder, &line);
    else if (line.ntoken > 0 && strcmp(line.tokens[0], "point") == 0)
      add_point(builder, &line);
  }
  return tm_builder_finish(builder);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fputs("usage: tm-mksnap IN.txt OUT.tms\n", stderr);
    return EXIT_ERROR;
  }
  input_name = argv[1];
  char *text = read_input(argv[1]);
  /* Both passes split lines in place: give each its own copy. */
  char *copy = strdup(text);
  if (!copy)
    die(0, "out of memory");
  settings settings = read_settings(copy);
  free(copy);
  tracemalloc_snapshot *snapshot = build_snapshot(text, settings);
  free(text);
  if (tracemalloc_snapshot_dump(snapshot, argv[2]) < 0)
    die(0, "%s", tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
  return 0;
}
