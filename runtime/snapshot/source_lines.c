/*
 * source_lines.c - the source lines shown by Traceback.format(), read the
 * way Python's linecache reads them:
 *  - names like "<unknown>" (starting with '<' and ending with '>') and ""
 *    have no lines;
 *  - a relative name is opened relative to the current directory (linecache
 *    would then try the directories of sys.path, which a C program has not);
 *  - the file is decoded as UTF-8 (tokenize.open(), which also drops a
 *    UTF-8 BOM): a file that is not valid UTF-8 has no lines at all, as
 *    linecache gets a UnicodeDecodeError. Encoding cookies ("# coding:
 *    latin-1") are a Python source convention and are not looked for;
 *  - "\r\n" and "\r" end lines like "\n" (universal newlines);
 *  - a line is stripped of what str.strip() strips: Unicode whitespace.
 * Each file is read once and its stripped lines are kept, like linecache's
 * cache, which Traceback.format() never invalidates either.
 */
#include "source_lines.h"
#include "snapshot.h"
#include "unicode.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

typedef struct source_file {
  char *name;
  char *data;         /* the file's bytes, cut into lines in place */
  const char **lines; /* stripped, NUL-terminated; NULL when blank */
  size_t nlines;
} source_file;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static tm_hash_table cache; /* of source_file, by name */
static int cache_ready;

/* The whole file, NUL-terminated, or NULL (unreadable or no memory). Read
 * with read(2), not stdio: the runtime's own reads must not allocate
 * through the traced allocator. */
static char *read_whole_file(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t capacity = 64 * 1024, used = 0;
  char *data = tm_raw_malloc(capacity);
  while (data) {
    if (capacity - used < 2) {
      char *bigger = tm_raw_realloc(data, capacity * 2);
      if (!bigger) {
        tm_raw_free(data);
        data = NULL;
        break;
      }
      data = bigger;
      capacity *= 2;
    }
    ssize_t n = read(fd, data + used, capacity - used - 1);
    if (n > 0) {
      used += (size_t)n;
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      /* EISDIR and the like: Python's open() fails the same way. */
      tm_raw_free(data);
      data = NULL;
    }
  }
  close(fd);
  if (data) {
    data[used] = '\0';
    *size = used;
  }
  return data;
}

static int valid_utf8(const unsigned char *text, size_t size) {
  uint32_t code_point;
  for (size_t at = 0; at < size;) {
    size_t n = tm_utf8_sequence(text + at, size - at, &code_point);
    if (n == 0)
      return 0;
    at += n;
  }
  return 1;
}

/* Strip line[0..length) in place and terminate it; NULL if nothing is
 * left. The text is valid UTF-8, so decoding never escapes a byte. */
static const char *strip(char *line, size_t length) {
  const unsigned char *in = (const unsigned char *)line;
  size_t at = 0, start = length, end = 0;
  while (at < length) {
    size_t before = at;
    uint32_t c = tm_utf8_next(in, length, &at);
    if (!tm_py_isspace(c)) {
      if (start == length)
        start = before;
      end = at;
    }
  }
  if (start >= end)
    return NULL;
  line[end] = '\0';
  return line + start;
}

static size_t count_lines(const char *text, size_t size) {
  size_t n = 0;
  for (size_t i = 0; i < size; i++) {
    if (text[i] == '\n' || (text[i] == '\r' && text[i + 1] != '\n'))
      n++;
  }
  /* A last line without its newline is a line too. */
  if (size && text[size - 1] != '\n' && text[size - 1] != '\r')
    n++;
  return n;
}

/* Cut text into stripped lines; text stays owned by the file. */
static int split_lines(source_file *file, char *text, size_t size) {
  file->nlines = count_lines(text, size);
  file->lines = tm_raw_malloc((file->nlines + 1) * sizeof(*file->lines));
  if (!file->lines)
    return -1;
  size_t line = 0, start = 0;
  for (size_t i = 0; i <= size && line < file->nlines; i++) {
    if (i < size && text[i] != '\n' && text[i] != '\r')
      continue;
    size_t end = i;
    if (i < size && text[i] == '\r' && text[i + 1] == '\n')
      i++;
    file->lines[line++] = strip(text + start, end - start);
    start = i + 1;
  }
  return 0;
}

/* Read and split a file; a file that cannot be read has no lines. -1 only
 * when out of memory. */
static int load_file(source_file *file) {
  const char *name = file->name;
  size_t length = strlen(name);
  if (length == 0 || (name[0] == '<' && name[length - 1] == '>'))
    return 0;
  size_t size;
  char *data = read_whole_file(name, &size);
  if (!data)
    return 0;
  char *text = data;
  if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    size -= 3;
  }
  if (!valid_utf8((const unsigned char *)text, size)) {
    tm_raw_free(data);
    return 0;
  }
  file->data = data;
  return split_lines(file, text, size);
}

static void free_file(source_file *file) {
  tm_raw_free(file->name);
  tm_raw_free(file->data);
  tm_raw_free(file->lines);
  tm_raw_free(file);
}

static int same_name(const void *entry, const void *key) {
  return strcmp(((const source_file *)entry)->name, key) == 0;
}

/* The cached file, read on first use; NULL when out of memory. Called
 * with cache_lock held. */
static const source_file *cached_file(const char *filename) {
  if (!cache_ready) {
    if (tm_hash_table_init(&cache, 16, &tm_raw_allocator) < 0)
      return NULL;
    cache_ready = 1;
  }
  size_t length = strlen(filename);
  uint64_t hash = tm_hash_bytes(filename, length);
  tm_hash_slot *slot = tm_hash_table_find(&cache, hash, same_name, filename);
  if (slot->entry)
    return slot->entry;
  source_file *file = tm_raw_calloc(1, sizeof(*file));
  char *name = tm_raw_malloc(length + 1);
  if (!file || !name) {
    tm_raw_free(file);
    tm_raw_free(name);
    return NULL;
  }
  memcpy(name, filename, length + 1);
  file->name = name;
  if (load_file(file) < 0 ||
      tm_hash_table_insert(&cache, slot, hash, file) < 0) {
    free_file(file); /* out of memory: try again next time */
    return NULL;
  }
  return file;
}

const char *tm_source_line(const char *filename, unsigned int lineno) {
  pthread_mutex_lock(&cache_lock);
  const source_file *file = cached_file(filename);
  const char *line = NULL;
  if (file && lineno >= 1 && lineno <= file->nlines)
    line = file->lines[lineno - 1];
  pthread_mutex_unlock(&cache_lock);
  return line;
}
