/*
 * progress.c - "tracemalloc: loading FILE... 3 s" on stderr while a long
 * phase runs.
 *
 * Loading, filtering and grouping happen inside the runtime, in one call
 * each, so the CLI cannot count items: it names the phase, and a thread
 * redraws the line every quarter of a second once the phase has lasted a
 * second. Only when stderr is a terminal; the line is erased when the
 * phase ends, so nothing of it stays on the screen or in a log.
 */
#include "cli.h"

#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int started, active, shown;
static long shown_second; /* the last one drawn, -1 after a new phase */
static char phase[512];
static struct timespec phase_start;

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) +
         (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void wait_a_little(void) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += 250000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000;
  }
  pthread_cond_timedwait(&wake, &lock, &until);
}

static void *progress_thread(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  for (;;) {
    if (!active) {
      pthread_cond_wait(&wake, &lock);
      continue;
    }
    double elapsed = seconds_since(&phase_start);
    if ((elapsed >= 1.0 || shown) && (long)elapsed != shown_second) {
      shown_second = (long)elapsed;
      fprintf(stderr, "\r\033[Ktracemalloc: %s... %.0f s", phase, elapsed);
      fflush(stderr);
      shown = 1;
    }
    wait_a_little();
  }
  return NULL;
}

void cli_progress_phase(const char *fmt, ...) {
  if (!isatty(STDERR_FILENO))
    return;
  pthread_mutex_lock(&lock);
  va_list args;
  va_start(args, fmt);
  vsnprintf(phase, sizeof(phase), fmt, args);
  va_end(args);
  clock_gettime(CLOCK_MONOTONIC, &phase_start);
  shown_second = -1;
  active = 1;
  if (!started) {
    pthread_t thread;
    started = pthread_create(&thread, NULL, progress_thread, NULL) == 0;
    if (started)
      pthread_detach(thread);
  }
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
}

void cli_progress_done(void) {
  if (!started)
    return;
  pthread_mutex_lock(&lock);
  active = 0;
  if (shown) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    shown = 0;
  }
  pthread_mutex_unlock(&lock);
}
