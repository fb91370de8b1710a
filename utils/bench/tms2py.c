/*
 * tms2py.c - print the traces of a .tms snapshot as text, for building the
 * same snapshot in Python (utils/bench/mkpickle.py) when the CLI has no
 * pickle export yet.
 *
 * Output: "limit N", then one line per trace:
 *   DOMAIN \t SIZE \t TOTAL_NFRAME { \t LINENO \t FILENAME }  (most recent first)
 *
 *   tms2py FILE.tms > FILE.txt
 */
#include <stdio.h>
#include <tracemalloc.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.tms\n", argv[0]);
    return 2;
  }
  tracemalloc_snapshot *s = tracemalloc_snapshot_load(argv[1]);
  if (!s) {
    fprintf(stderr, "tms2py: %s\n", tracemalloc_last_error());
    return 1;
  }
  printf("limit %u\n", tracemalloc_snapshot_traceback_limit(s));
  size_t n = tracemalloc_snapshot_trace_count(s);
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_trace *t = tracemalloc_snapshot_trace(s, i);
    const tracemalloc_traceback *tb = t->traceback;
    printf("%u\t%zu\t%u", t->domain, t->size, tb->total_nframe);
    /* Python's raw traces list the most recent frame first. */
    for (unsigned int j = tb->nframe; j-- > 0;)
      printf("\t%u\t%s", tb->frames[j]->lineno, tb->frames[j]->filename);
    putchar('\n');
  }
  tracemalloc_snapshot_free(s);
  return 0;
}
