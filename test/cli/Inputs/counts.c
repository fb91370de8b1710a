// counts.c - allocation counters with known values (allocations.test; the
// line numbers below are pinned there).
#include <pthread.h>
#include <stdlib.h>

static void *keep[10];

static void *worker(void *shared) {
  free(shared); /* main's last allocation, freed here: not temporary */
  for (int i = 0; i < 50; i++)
    free(malloc(200));
  return NULL;
}

static void *make(size_t size) {
  return malloc(size);
}

int main(void) {
  for (int i = 0; i < 1000; i++)
    free(malloc(100));
  for (int i = 0; i < 10; i++)
    keep[i] = make(1000);
  free(make(30));
  char *r = malloc(10);
  for (int i = 2; i <= 6; i++)
    r = realloc(r, 10 * i);
  void *shared = malloc(64);
  pthread_t thread;
  pthread_create(&thread, NULL, worker, shared);
  pthread_join(thread, NULL);
  return r == NULL;
}
