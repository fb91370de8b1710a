/*
 * wordfreq - count the words of text files: the example TraceMalloc's
 * README runs. It allocates the way real C programs do: a hash table that
 * grows with realloc, strdup'd keys, one node per distinct word, a line
 * buffer from getline, and a sorted array for the report.
 *
 *   tmcc -O2 -g wordfreq.c -o wordfreq
 *   TRACEMALLOC=5 TRACEMALLOC_DUMP=wordfreq.tms ./wordfreq FILE...
 *   tracemalloc top wordfreq.tms
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct word {
  char *text;
  unsigned long count;
  struct word *next;
};

struct table {
  struct word **buckets;
  size_t nbuckets;
  size_t nwords;
};

static unsigned long hash_text(const char *s) {
  unsigned long h = 5381;
  while (*s)
    h = h * 33 + (unsigned char)*s++;
  return h;
}

static void grow(struct table *t) {
  size_t n = t->nbuckets ? t->nbuckets * 2 : 64;
  struct word **buckets = calloc(n, sizeof(*buckets));
  if (!buckets)
    abort();
  for (size_t i = 0; i < t->nbuckets; i++) {
    for (struct word *w = t->buckets[i], *next; w; w = next) {
      next = w->next;
      size_t slot = hash_text(w->text) % n;
      w->next = buckets[slot];
      buckets[slot] = w;
    }
  }
  free(t->buckets);
  t->buckets = buckets;
  t->nbuckets = n;
}

static void count_word(struct table *t, const char *text) {
  if (t->nwords >= t->nbuckets)
    grow(t);
  size_t slot = hash_text(text) % t->nbuckets;
  for (struct word *w = t->buckets[slot]; w; w = w->next) {
    if (strcmp(w->text, text) == 0) {
      w->count++;
      return;
    }
  }
  struct word *w = malloc(sizeof(*w));
  if (!w)
    abort();
  w->text = strdup(text);
  w->count = 1;
  w->next = t->buckets[slot];
  t->buckets[slot] = w;
  t->nwords++;
}

static void count_file(struct table *t, FILE *in) {
  char *line = NULL;
  size_t cap = 0;
  char word[256];
  while (getline(&line, &cap, in) > 0) {
    size_t len = 0;
    for (const char *p = line;; p++) {
      if (isalnum((unsigned char)*p) && len + 1 < sizeof(word)) {
        word[len++] = (char)tolower((unsigned char)*p);
        continue;
      }
      if (len) {
        word[len] = '\0';
        count_word(t, word);
        len = 0;
      }
      if (!*p)
        break;
    }
  }
  free(line);
}

static int by_count(const void *a, const void *b) {
  const struct word *x = *(struct word *const *)a;
  const struct word *y = *(struct word *const *)b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return strcmp(x->text, y->text);
}

static void report(const struct table *t, size_t top) {
  struct word **all = malloc(t->nwords * sizeof(*all));
  if (!all)
    abort();
  size_t n = 0;
  for (size_t i = 0; i < t->nbuckets; i++)
    for (struct word *w = t->buckets[i]; w; w = w->next)
      all[n++] = w;
  qsort(all, n, sizeof(*all), by_count);
  printf("%zu distinct words; the most frequent:\n", n);
  for (size_t i = 0; i < n && i < top; i++)
    printf("  %6lu  %s\n", all[i]->count, all[i]->text);
  free(all);
}

int main(int argc, char **argv) {
  struct table t = {0};
  for (int i = 1; i < argc; i++) {
    FILE *in = fopen(argv[i], "r");
    if (!in) {
      perror(argv[i]);
      return 1;
    }
    count_file(&t, in);
    fclose(in);
  }
  report(&t, 5);
  /* The table is left allocated on purpose: the snapshot taken at exit
   * shows where its memory came from. */
  return 0;
}
