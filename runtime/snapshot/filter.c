/*
 * filter.c - Filter, DomainFilter and Snapshot.filter_traces().
 *
 * Filter._match_frame_impl() matches with fnmatch.fnmatch(), which on
 * POSIX is Python's own translation of the pattern into a regular
 * expression, not fnmatch(3). The two differ: Python has no escape
 * character ("\*" is a backslash then a star), "[^a]" is a set of '^' and
 * 'a' (only '!' negates), "[[:alpha:]]" is no character class, a reversed
 * range like "[z-a]" is dropped instead of being an error, and '?' matches
 * one code point where fnmatch(3) in the C locale matches one byte. So the
 * pattern is compiled here exactly as fnmatch.translate() does, into a
 * list of tokens matched against the code points of the file name.
 *
 * A snapshot has far fewer file names than frames, so each filter caches
 * its verdict per interned file name: filtering ten million traces matches
 * each name once per filter.
 *
 * The snapshot made of a snapshot's traces at the peak (peak.c) is copied
 * the same way, with no filter.
 */
#include "snapshot.h"
#include "unicode.h"

#include <stdlib.h>
#include <string.h>

tracemalloc_filter tracemalloc_filter_make(int inclusive,
                                           const char *filename_pattern,
                                           long lineno, int all_frames,
                                           long domain) {
  return (tracemalloc_filter){.inclusive = inclusive != 0,
                              .domain_only = 0,
                              .filename_pattern = filename_pattern,
                              .lineno = lineno,
                              .all_frames = all_frames != 0,
                              .domain = domain};
}

tracemalloc_filter tracemalloc_domain_filter_make(int inclusive,
                                                  unsigned int domain) {
  return (tracemalloc_filter){.inclusive = inclusive != 0,
                              .domain_only = 1,
                              .filename_pattern = NULL,
                              .lineno = -1,
                              .all_frames = 0,
                              .domain = domain};
}

/* ======================================================================
 * Patterns
 * ====================================================================== */

typedef enum token_kind {
  TOKEN_CHAR,  /* one given code point */
  TOKEN_ANY,   /* '?', or a set that matches everything */
  TOKEN_STAR,  /* '*': any run of code points */
  TOKEN_SET,   /* [...] */
  TOKEN_NEVER, /* a set left empty: Python's "(?!)" */
} token_kind;

typedef struct token {
  token_kind kind;
  uint32_t code_point; /* TOKEN_CHAR */
  int negate;          /* TOKEN_SET */
  size_t first, count; /* TOKEN_SET: its ranges in pattern.ranges */
} token;

typedef struct range {
  uint32_t low, high;
} range;

typedef struct pattern {
  token *tokens;
  size_t ntokens;
  range *ranges;
  size_t nranges;
} pattern;

/* Code points of a string, without Python's _normalize_filename() ".pyc"
 * -> ".py" (os.path.normcase does nothing on POSIX). n: how many. NULL when
 * out of memory. */
static uint32_t *decode_normalized(const char *text, size_t *n) {
  size_t length = strlen(text);
  if (length >= 4 && strcmp(text + length - 4, ".pyc") == 0)
    length--;
  uint32_t *code_points = tm_raw_malloc((length + 1) * sizeof(uint32_t));
  if (!code_points)
    return NULL;
  size_t at = 0;
  *n = 0;
  while (at < length)
    code_points[(*n)++] =
        tm_utf8_next((const unsigned char *)text, length, &at);
  return code_points;
}

/* The contents of one bracket expression as fnmatch.translate() builds its
 * "stuff": code points, each possibly joined to the next one by a range
 * hyphen, some deleted by the removal of empty ranges. */
typedef struct set_stuff {
  uint32_t *chars;
  unsigned char *joined;  /* joined[k]: chars[k]-chars[k+1] is a range */
  unsigned char *deleted; /* removed with an empty range */
  size_t n;
} set_stuff;

static int contains_hyphen(const uint32_t *pat, size_t from, size_t to) {
  for (size_t k = from; k < to; k++)
    if (pat[k] == '-')
      return 1;
  return 0;
}

static size_t find_hyphen(const uint32_t *pat, size_t from, size_t to) {
  for (size_t k = from; k < to; k++)
    if (pat[k] == '-')
      return k;
  return SIZE_MAX;
}

/* translate() with a '-' in the set: split into chunks at the hyphens
 * that make ranges. The first character (after a '!') is never a range
 * hyphen, nor is the one right after a range ("k = k+3"). An empty last
 * chunk gives its hyphen back to the previous chunk as a literal. */
static void split_chunks(const uint32_t *pat, size_t i, size_t j,
                         set_stuff *stuff) {
  size_t k = pat[i] == '!' ? i + 2 : i + 1;
  for (;;) {
    size_t hyphen = k < j ? find_hyphen(pat, k, j) : SIZE_MAX;
    if (hyphen == SIZE_MAX)
      break;
    for (size_t c = i; c < hyphen; c++)
      stuff->chars[stuff->n++] = pat[c];
    stuff->joined[stuff->n - 1] = 1;
    i = hyphen + 1;
    k = hyphen + 3;
  }
  if (i < j) {
    for (size_t c = i; c < j; c++)
      stuff->chars[stuff->n++] = pat[c];
  } else {
    stuff->joined[stuff->n - 1] = 0;
    stuff->chars[stuff->n++] = '-';
  }
}

/* "Remove empty ranges": from the last range to the first, a range whose
 * ends are reversed loses both ends. Chunks between ranges have at least
 * two characters, so the ends of the remaining ranges never change. */
static void remove_empty_ranges(set_stuff *stuff) {
  for (size_t k = stuff->n; k-- > 0;) {
    if (stuff->joined[k] && stuff->chars[k] > stuff->chars[k + 1]) {
      stuff->joined[k] = 0;
      stuff->deleted[k] = 1;
      stuff->deleted[k + 1] = 1;
    }
  }
  size_t kept = 0;
  for (size_t k = 0; k < stuff->n; k++) {
    if (stuff->deleted[k])
      continue;
    stuff->chars[kept] = stuff->chars[k];
    stuff->joined[kept] = stuff->joined[k];
    kept++;
  }
  stuff->n = kept;
}

static void add_token(pattern *pattern, token token) {
  /* tokens has room for one per pattern code point. */
  pattern->tokens[pattern->ntokens++] = token;
}

/* Turn "stuff" into a token as the regular expression "[stuff]" reads it:
 * a leading '!' negates (a range hyphen after it becomes a literal '-', as
 * "[^-z]" reads), "!" alone is any character, nothing is no character. */
static void add_set(pattern *pattern, const set_stuff *stuff) {
  if (stuff->n == 0) {
    add_token(pattern, (token){.kind = TOKEN_NEVER});
    return;
  }
  if (stuff->n == 1 && stuff->chars[0] == '!') {
    add_token(pattern, (token){.kind = TOKEN_ANY});
    return;
  }
  token set = {.kind = TOKEN_SET, .first = pattern->nranges};
  size_t k = 0;
  if (stuff->chars[0] == '!') {
    set.negate = 1;
    if (stuff->joined[0])
      pattern->ranges[pattern->nranges++] = (range){'-', '-'};
    k = 1;
  }
  for (; k < stuff->n; k++) {
    uint32_t low = stuff->chars[k];
    if (stuff->joined[k])
      k++;
    pattern->ranges[pattern->nranges++] = (range){low, stuff->chars[k]};
  }
  set.count = pattern->nranges - set.first;
  add_token(pattern, set);
}

/* pat[i..j) is the inside of a bracket expression whose ']' is at j. */
static void compile_set(pattern *pattern, const uint32_t *pat, size_t i,
                        size_t j, set_stuff *stuff) {
  stuff->n = 0;
  size_t n = j - i;
  memset(stuff->joined, 0, n + 1);
  memset(stuff->deleted, 0, n + 1);
  if (!contains_hyphen(pat, i, j)) {
    memcpy(stuff->chars, pat + i, n * sizeof(uint32_t));
    stuff->n = n;
  } else {
    split_chunks(pat, i, j, stuff);
    remove_empty_ranges(stuff);
  }
  add_set(pattern, stuff);
}

/* Where the ']' closing the bracket expression opened before pat[i] is, or
 * n if there is none (then '[' is a literal). */
static size_t closing_bracket(const uint32_t *pat, size_t i, size_t n) {
  size_t j = i;
  if (j < n && pat[j] == '!')
    j++;
  if (j < n && pat[j] == ']')
    j++;
  while (j < n && pat[j] != ']')
    j++;
  return j;
}

static void compile_tokens(pattern *pattern, const uint32_t *pat, size_t n,
                           set_stuff *stuff) {
  size_t i = 0;
  while (i < n) {
    uint32_t c = pat[i++];
    if (c == '*') {
      /* Consecutive stars are one. */
      if (!pattern->ntokens ||
          pattern->tokens[pattern->ntokens - 1].kind != TOKEN_STAR)
        add_token(pattern, (token){.kind = TOKEN_STAR});
    } else if (c == '?') {
      add_token(pattern, (token){.kind = TOKEN_ANY});
    } else if (c == '[' && closing_bracket(pat, i, n) < n) {
      size_t j = closing_bracket(pat, i, n);
      compile_set(pattern, pat, i, j, stuff);
      i = j + 1;
    } else {
      add_token(pattern, (token){.kind = TOKEN_CHAR, .code_point = c});
    }
  }
}

static void pattern_free(pattern *pattern) {
  tm_raw_free(pattern->tokens);
  tm_raw_free(pattern->ranges);
}

/* 0, or -1 when out of memory. Every array is sized by the number of code
 * points, which bounds tokens, ranges and the stuff of any set. */
static int pattern_compile(pattern *pattern, const char *text) {
  size_t n;
  uint32_t *pat = decode_normalized(text, &n);
  set_stuff stuff = {0};
  *pattern = (struct pattern){0};
  if (pat) {
    pattern->tokens = tm_raw_malloc((n + 1) * sizeof(token));
    pattern->ranges = tm_raw_malloc((n + 1) * sizeof(range));
    stuff.chars = tm_raw_malloc((n + 1) * sizeof(uint32_t));
    stuff.joined = tm_raw_malloc(n + 1);
    stuff.deleted = tm_raw_malloc(n + 1);
  }
  int ok = pat && pattern->tokens && pattern->ranges && stuff.chars &&
           stuff.joined && stuff.deleted;
  if (ok)
    compile_tokens(pattern, pat, n, &stuff);
  else
    pattern_free(pattern);
  tm_raw_free(pat);
  tm_raw_free(stuff.chars);
  tm_raw_free(stuff.joined);
  tm_raw_free(stuff.deleted);
  return ok ? 0 : -1;
}

static int token_matches(const pattern *pattern, const token *token,
                         uint32_t c) {
  switch (token->kind) {
  case TOKEN_CHAR:
    return c == token->code_point;
  case TOKEN_ANY:
    return 1;
  case TOKEN_SET:
    for (size_t k = 0; k < token->count; k++) {
      const range *range = &pattern->ranges[token->first + k];
      if (c >= range->low && c <= range->high)
        return !token->negate;
    }
    return token->negate;
  default:
    return 0;
  }
}

/* The whole name against the whole pattern. Every token but a star matches
 * exactly one code point, so on a mismatch it is enough to let the last
 * star take one more code point: the usual linear-time glob match, and the
 * same answer as translate()'s "(?>.*?fixed)" groups. */
static int pattern_match(const pattern *pattern, const uint32_t *name,
                         size_t n) {
  size_t p = 0, s = 0;
  size_t star = SIZE_MAX, star_s = 0;
  while (s < n) {
    if (p < pattern->ntokens && pattern->tokens[p].kind == TOKEN_STAR) {
      star = p++;
      star_s = s;
    } else if (p < pattern->ntokens && pattern->tokens[p].kind != TOKEN_STAR &&
               token_matches(pattern, &pattern->tokens[p], name[s])) {
      p++;
      s++;
    } else if (star != SIZE_MAX) {
      p = star + 1;
      s = ++star_s;
    } else {
      return 0;
    }
  }
  while (p < pattern->ntokens && pattern->tokens[p].kind == TOKEN_STAR)
    p++;
  return p == pattern->ntokens;
}

/* ======================================================================
 * Filters
 * ====================================================================== */

enum { VERDICT_UNKNOWN = 0, VERDICT_NO = 1, VERDICT_YES = 2 };

typedef struct compiled_filter {
  const tracemalloc_filter *filter;
  pattern pattern;
  /* By string index of the snapshot: does the file name match? */
  unsigned char *verdicts;
} compiled_filter;

static int filename_matches(compiled_filter *compiled, const char *filename) {
  unsigned char *verdict =
      &compiled->verdicts[tm_snap_string_of(filename)->index];
  if (*verdict == VERDICT_UNKNOWN) {
    size_t n;
    uint32_t *name = decode_normalized(filename, &n);
    if (!name)
      return -1;
    *verdict =
        pattern_match(&compiled->pattern, name, n) ? VERDICT_YES : VERDICT_NO;
    tm_raw_free(name);
  }
  return *verdict == VERDICT_YES;
}

/* Filter._match_frame_impl(): 1, 0, or -1 when out of memory. */
static int frame_matches(compiled_filter *compiled,
                         const tracemalloc_frame *frame) {
  int matches = filename_matches(compiled, frame->filename);
  if (matches <= 0)
    return matches;
  long lineno = compiled->filter->lineno;
  return lineno == -1 || lineno == (long)frame->lineno;
}

/* Filter._match_traceback(). */
static int traceback_matches(compiled_filter *compiled,
                             const tracemalloc_traceback *traceback) {
  int inclusive = compiled->filter->inclusive != 0;
  if (!compiled->filter->all_frames) {
    int matches =
        frame_matches(compiled, traceback->frames[traceback->nframe - 1]);
    return matches < 0 ? -1 : matches ^ !inclusive;
  }
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    int matches = frame_matches(compiled, traceback->frames[i]);
    if (matches)
      return matches < 0 ? -1 : inclusive;
  }
  return !inclusive;
}

/* Filter._match() and DomainFilter._match(): does the filter let the trace
 * through? 1, 0, or -1 when out of memory. */
static int filter_passes(compiled_filter *compiled,
                         const tracemalloc_trace *trace) {
  const tracemalloc_filter *filter = compiled->filter;
  int same_domain = (long)trace->domain == filter->domain;
  if (filter->domain_only)
    return same_domain ^ !filter->inclusive;
  int result = traceback_matches(compiled, trace->traceback);
  if (result < 0 || filter->domain == -1)
    return result;
  return filter->inclusive ? result && same_domain : result || !same_domain;
}

/* What a filter says of an item: it passes (1), it does not (0), it has
 * nothing to say (NOT_APPLICABLE), or -1: out of memory. */
#define NOT_APPLICABLE 2
typedef int (*filter_test)(compiled_filter *compiled, const void *item);

/* Snapshot._filter_trace()'s rule: kept when one inclusive filter passes
 * (if there is any) and every exclusive filter passes. */
static int keep(compiled_filter *filters, size_t nfilters, filter_test test,
                const void *item) {
  int any_inclusive = 0, included = 0;
  for (size_t i = 0; i < nfilters; i++) {
    int inclusive = filters[i].filter->inclusive;
    if (inclusive && included)
      continue;
    int passes = test(&filters[i], item);
    if (passes < 0)
      return -1;
    if (passes == NOT_APPLICABLE)
      continue;
    if (inclusive) {
      any_inclusive = 1;
      included = passes;
    } else if (!passes) {
      return 0;
    }
  }
  return !any_inclusive || included;
}

static int trace_test(compiled_filter *compiled, const void *trace) {
  return filter_passes(compiled, trace);
}

static int keep_trace(compiled_filter *filters, size_t nfilters,
                      const tracemalloc_trace *trace) {
  return keep(filters, nfilters, trace_test, trace);
}

static void free_filters(compiled_filter *compiled, size_t nfilters) {
  for (size_t i = 0; compiled && i < nfilters; i++) {
    pattern_free(&compiled[i].pattern);
    tm_raw_free(compiled[i].verdicts);
  }
  tm_raw_free(compiled);
}

static compiled_filter *compile_filters(const tracemalloc_snapshot *snapshot,
                                        const tracemalloc_filter *filters,
                                        size_t nfilters) {
  compiled_filter *compiled = tm_raw_calloc(nfilters + 1, sizeof(*compiled));
  if (!compiled) {
    tm_set_error("out of memory while filtering traces");
    return NULL;
  }
  for (size_t i = 0; i < nfilters; i++) {
    compiled[i].filter = &filters[i];
    if (filters[i].domain_only)
      continue;
    if (!filters[i].filename_pattern) {
      tm_set_error("filter %zu has no filename pattern", i);
      free_filters(compiled, nfilters);
      return NULL;
    }
    compiled[i].verdicts = tm_raw_calloc(snapshot->nstrings + 1, 1);
    if (!compiled[i].verdicts ||
        pattern_compile(&compiled[i].pattern, filters[i].filename_pattern) <
            0) {
      tm_set_error("out of memory while filtering traces");
      free_filters(compiled, nfilters);
      return NULL;
    }
  }
  return compiled;
}

/* ======================================================================
 * The filtered snapshot
 * ====================================================================== */

/* The new snapshot interns its own copies; each traceback of the old one
 * is copied once, however many traces share it. */
typedef struct copier {
  tm_snapshot_builder *builder;
  const tracemalloc_traceback **tracebacks; /* by old traceback index */
  const tracemalloc_frame **frames;         /* by old frame index */
  const tracemalloc_frame **scratch;        /* frames of one traceback */
} copier;

static const tracemalloc_frame *copy_frame(copier *copier,
                                           const tracemalloc_frame *frame) {
  const tracemalloc_frame **copy =
      &copier->frames[tm_snap_frame_of(frame)->index];
  if (!*copy)
    *copy = tm_builder_frame_inlined(copier->builder, frame->filename,
                                     frame->lineno, frame->function,
                                     tm_snap_frame_of(frame)->inlined);
  return *copy;
}

static const tracemalloc_traceback *
copy_traceback(copier *copier, const tracemalloc_traceback *traceback) {
  const tracemalloc_traceback **copy =
      &copier->tracebacks[tm_snap_traceback_of(traceback)->index];
  if (*copy)
    return *copy;
  for (unsigned int i = 0; i < traceback->nframe; i++) {
    copier->scratch[i] = copy_frame(copier, traceback->frames[i]);
    if (!copier->scratch[i])
      return NULL;
  }
  *copy = tm_builder_traceback(copier->builder, copier->scratch,
                               traceback->nframe, traceback->total_nframe);
  return *copy;
}

static int copier_init(copier *copier, const tracemalloc_snapshot *snapshot) {
  copier->tracebacks =
      tm_raw_calloc(snapshot->ntracebacks + 1, sizeof(*copier->tracebacks));
  copier->frames =
      tm_raw_calloc(snapshot->nframes + 1, sizeof(*copier->frames));
  copier->scratch =
      tm_raw_malloc(TRACEMALLOC_MAX_NFRAME * sizeof(*copier->scratch));
  copier->builder =
      tm_builder_new(snapshot->traceback_limit, snapshot->lost_traces);
  if (copier->tracebacks && copier->frames && copier->scratch)
    return copier->builder ? 0 : -1;
  tm_set_error("out of memory while filtering traces");
  return -1;
}

static void copier_fini(copier *copier) {
  tm_builder_abort(copier->builder);
  tm_raw_free(copier->tracebacks);
  tm_raw_free(copier->frames);
  tm_raw_free(copier->scratch);
}

/* The traces of traces[0, ntraces) (the snapshot's traces or its traces at
 * the peak) that the filters keep, added to the new snapshot as its traces
 * or (as_peak) its traces at the peak. */
static int copy_kept_traces(copier *copier,
                            const tracemalloc_snapshot *snapshot,
                            const tm_snap_trace *traces, size_t ntraces,
                            int as_peak, compiled_filter *filters,
                            size_t nfilters) {
  tracemalloc_snapshot *result = tm_builder_snapshot(copier->builder);
  for (size_t i = 0; i < ntraces; i++) {
    tracemalloc_trace copy = tm_snap_trace_public(snapshot, &traces[i]);
    const tracemalloc_trace *trace = &copy;
    int keep = keep_trace(filters, nfilters, trace);
    if (keep < 0) {
      tm_set_error("out of memory while filtering traces");
      return -1;
    }
    if (!keep)
      continue;
    const tracemalloc_traceback *traceback =
        copy_traceback(copier, trace->traceback);
    if (!traceback)
      return -1;
    if (as_peak)
      tm_snap_add_peak_trace(result, trace->domain, trace->size, traceback);
    else if (tm_builder_add_trace(copier->builder, trace->domain, trace->size,
                                  traceback) < 0)
      return -1;
  }
  return 0;
}

/* Counters have no domain: a domain-only filter lets them all through, and
 * a filename filter with a domain tests the traceback alone. */
static int counts_test(compiled_filter *compiled, const void *traceback) {
  if (compiled->filter->domain_only)
    return NOT_APPLICABLE;
  return traceback_matches(compiled, traceback);
}

static int keep_counts(compiled_filter *filters, size_t nfilters,
                       const tracemalloc_traceback *traceback) {
  return keep(filters, nfilters, counts_test, traceback);
}

/* The allocation counters of the tracebacks the filters keep. */
static int copy_kept_counts(copier *copier,
                            const tracemalloc_snapshot *snapshot,
                            compiled_filter *filters, size_t nfilters) {
  if (!snapshot->has_counts)
    return 0;
  tracemalloc_snapshot *copy = tm_builder_snapshot(copier->builder);
  tm_snap_enable_counts(copy);
  for (uint32_t i = 0; i < snapshot->ntracebacks; i++) {
    const tm_snap_counts *counts = tm_snap_counts_of(snapshot, i);
    if (!counts)
      continue;
    const tracemalloc_traceback *traceback =
        &snapshot->tracebacks[i]->traceback;
    int keep = keep_counts(filters, nfilters, traceback);
    if (keep < 0) {
      tm_set_error("out of memory while filtering traces");
      return -1;
    }
    if (!keep)
      continue;
    traceback = copy_traceback(copier, traceback);
    if (!traceback ||
        tm_snap_add_counts(copy, tm_snap_traceback_of(traceback)->index,
                           counts) < 0)
      return -1;
  }
  return 0;
}

/* The peak the snapshot records, filtered like its traces. */
static int copy_peak(copier *copier, const tracemalloc_snapshot *snapshot,
                     compiled_filter *filters, size_t nfilters) {
  tracemalloc_snapshot *result = tm_builder_snapshot(copier->builder);
  if (snapshot->has_peak)
    tm_snap_set_peak(result, snapshot->peak);
  if (!snapshot->has_peak_traces)
    return 0;
  if (tm_snap_reserve_peak_traces(result, snapshot->npeak_traces) < 0)
    return -1;
  return copy_kept_traces(copier, snapshot, snapshot->peak_traces,
                          snapshot->npeak_traces, 1, filters, nfilters);
}

tracemalloc_snapshot *
tracemalloc_snapshot_filter_traces(const tracemalloc_snapshot *snapshot,
                                   const tracemalloc_filter *filters,
                                   size_t nfilters) {
  compiled_filter *compiled = compile_filters(snapshot, filters, nfilters);
  if (!compiled)
    return NULL;
  copier copier = {0};
  tracemalloc_snapshot *result = NULL;
  if (copier_init(&copier, snapshot) == 0 &&
      copy_kept_traces(&copier, snapshot, snapshot->traces, snapshot->ntraces,
                       0, compiled, nfilters) == 0 &&
      copy_peak(&copier, snapshot, compiled, nfilters) == 0 &&
      copy_kept_counts(&copier, snapshot, compiled, nfilters) == 0 &&
      /* Traced memory over time is the whole process's: filters keep it. */
      tm_snap_set_timeline(tm_builder_snapshot(copier.builder),
                           snapshot->timeline, snapshot->ntimeline) == 0) {
    result = tm_builder_finish(copier.builder);
    copier.builder = NULL;
  }
  copier_fini(&copier);
  free_filters(compiled, nfilters);
  return result;
}

/* ======================================================================
 * The traces at the peak, as a snapshot of their own
 * ====================================================================== */

tracemalloc_snapshot *
tracemalloc_snapshot_peak(const tracemalloc_snapshot *snapshot) {
  if (!snapshot->has_peak_traces) {
    tm_set_error("the snapshot has no traces at the peak (the program must "
                 "run with TRACEMALLOC_PEAK set)");
    return NULL;
  }
  copier copier = {0};
  tracemalloc_snapshot *result = NULL;
  if (copier_init(&copier, snapshot) == 0 &&
      copy_kept_traces(&copier, snapshot, snapshot->peak_traces,
                       snapshot->npeak_traces, 0, NULL, 0) == 0) {
    result = tm_builder_finish(copier.builder);
    copier.builder = NULL;
    tm_snap_set_peak(result, snapshot->peak);
  }
  copier_fini(&copier);
  return result;
}
