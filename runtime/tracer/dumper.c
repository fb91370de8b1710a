/*
 * dumper.c - snapshot files of the running program (TRACEMALLOC_DUMP): at
 * exit, and numbered ones written by a thread of ours.
 *
 * A long-running program (a server) is profiled without changing its code:
 * on a signal (TRACEMALLOC_DUMP_SIGNAL) and every time traced memory grows by
 * a given amount (TRACEMALLOC_DUMP_EVERY), a numbered snapshot file is
 * written, of the live set at the signal or at the allocation that crossed
 * the step. Neither a signal handler nor the allocation path may take a
 * snapshot (it allocates and takes every lock), so both request one
 * (capture.c: the first trace event after the request copies the live
 * traces before its own change) and write a byte to a pipe; a background
 * thread of the runtime, with every signal blocked, reads it, builds the
 * snapshots from the copies and writes one file per request, in order. At
 * exit, every requested snapshot is written before the one at exit.
 */
#include "dumper.h"
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TM_PATH_MAX 4096

/* TRACEMALLOC_DUMP made absolute. */
static char dump_pattern[TM_PATH_MAX];

/* ---- Dump files ---- */

int tm_dump_set_path(const char *path) {
  char cwd[TM_PATH_MAX];
  int length;
  if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
    length = snprintf(dump_pattern, sizeof(dump_pattern), "%s", path);
  else
    length = snprintf(dump_pattern, sizeof(dump_pattern), "%s/%s", cwd, path);
  return length > 0 && (size_t)length < sizeof(dump_pattern) ? 0 : -1;
}

/* Where ".N" goes when the pattern has no "%n": before the extension of the
 * last path component, or at the end. */
static const char *number_position(const char *pattern) {
  const char *base = strrchr(pattern, '/');
  base = base ? base + 1 : pattern;
  const char *dot = strrchr(base, '.');
  return dot && dot != base ? dot : pattern + strlen(pattern);
}

/* The name of dump number n; 0, or -1 when it does not fit. */
static int dump_path(char *buf, size_t size, unsigned long n) {
  char number[32];
  if (n == 0)
    snprintf(number, sizeof(number), "exit");
  else
    snprintf(number, sizeof(number), "%lu", n);
  const char *insert_at = n != 0 && !strstr(dump_pattern, "%n")
                              ? number_position(dump_pattern)
                              : NULL;
  size_t used = 0;
  for (const char *p = dump_pattern;; p++) {
    char piece[40] = "";
    if (p == insert_at)
      snprintf(piece, sizeof(piece), ".%s", number);
    size_t piece_length = strlen(piece);
    if (*p == '%' && (p[1] == 'p' || p[1] == 'n' || p[1] == '%')) {
      if (p[1] == 'p')
        snprintf(piece + piece_length, sizeof(piece) - piece_length, "%ld",
                 (long)getpid());
      else if (p[1] == 'n')
        snprintf(piece + piece_length, sizeof(piece) - piece_length, "%s",
                 number);
      else
        snprintf(piece + piece_length, sizeof(piece) - piece_length, "%%");
      p++;
    } else if (*p != '\0') {
      piece[piece_length] = *p;
      piece[piece_length + 1] = '\0';
    }
    piece_length = strlen(piece);
    if (used + piece_length >= size)
      return -1;
    memcpy(buf + used, piece, piece_length + 1);
    used += piece_length;
    if (*p == '\0')
      return 0;
  }
}

/* Write snapshot (NULL: it could not be taken, the error says why) to path;
 * failures are reported on stderr. */
static void write_snapshot(const tracemalloc_snapshot *snapshot,
                           const char *path) {
  if (!snapshot || tracemalloc_snapshot_dump(snapshot, path) < 0)
    fprintf(stderr, "tracemalloc: cannot write a snapshot to %s: %s\n", path,
            tracemalloc_last_error());
}

/* ---- Requested dumps ---- */

static int wake_pipe[2] = {-1, -1};
static _Atomic unsigned long dump_sequence;
/* Held while requested dumps are written, by the dump thread or at exit. */
static pthread_mutex_t dump_lock = PTHREAD_MUTEX_INITIALIZER;
static int dump_at_exit_done; /* with dump_lock */

/* Async-signal-safe, and safe with a shard lock held: atomics and one
 * write, errno kept. A full pipe means the thread is awake already, which
 * is enough: it writes every dump requested when it looks. */
static void request_dump(void) {
  int saved_errno = errno;
  tm_capture_request();
  char byte = 1;
  ssize_t ignored = write(wake_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved_errno;
}

static void on_dump_signal(int sig) {
  (void)sig;
  request_dump();
}

static void dump_numbered(const tracemalloc_snapshot *snapshot) {
  unsigned long n = atomic_fetch_add(&dump_sequence, 1) + 1;
  char path[TM_PATH_MAX];
  if (dump_path(path, sizeof(path), n) < 0) {
    fprintf(stderr, "tracemalloc: dump file name too long\n");
    return;
  }
  write_snapshot(snapshot, path);
}

/* Every dump requested so far, one file per request, with dump_lock held.
 * A request no trace event has answered yet is copied now: nothing has
 * changed since it was made. */
static void write_requested_dumps(void) {
  tm_capture_if_wanted();
  tracemalloc_snapshot *snapshot;
  unsigned long requests;
  while (tm_capture_next(&snapshot, &requests)) {
    for (unsigned long i = 0; i < requests; i++)
      dump_numbered(snapshot);
    tracemalloc_snapshot_free(snapshot);
  }
}

static void dump_at_exit(void) {
  pthread_mutex_lock(&dump_lock);
  write_requested_dumps();
  char path[TM_PATH_MAX];
  if (dump_path(path, sizeof(path), 0) < 0) {
    fprintf(stderr, "tracemalloc: TRACEMALLOC_DUMP: file name too long\n");
  } else {
    tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
    write_snapshot(snapshot, path);
    tracemalloc_snapshot_free(snapshot);
  }
  /* Later requests would come after the dump at exit; the dump thread
   * leaves them, and no file is half written when the process ends. */
  dump_at_exit_done = 1;
  pthread_mutex_unlock(&dump_lock);
}

/* ---- The dump thread ---- */

static void *dumper_main(void *arg) {
  (void)arg;
  for (;;) {
    char bytes[64];
    ssize_t n = read(wake_pipe[0], bytes, sizeof(bytes));
    if (n > 0) {
      pthread_mutex_lock(&dump_lock);
      if (!dump_at_exit_done)
        write_requested_dumps();
      pthread_mutex_unlock(&dump_lock);
    } else if (n == 0 || errno != EINTR) {
      return NULL;
    }
  }
}

/* A fork child has no dump thread, and dump_lock may have been held by the
 * parent's: the child's dump at exit must not wait for it. */
static void reset_in_child(void) { pthread_mutex_init(&dump_lock, NULL); }

static int start_thread(void) {
  if (pipe2(wake_pipe, O_CLOEXEC) < 0)
    return -1;
  /* The writer must never block an allocating thread or a handler. */
  fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  int status = pthread_create(&thread, &attr, dumper_main, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return status == 0 ? 0 : -1;
}

void tm_dumper_start(int signal_number, size_t every_bytes) {
  atexit(dump_at_exit);
  pthread_atfork(NULL, NULL, reset_in_child);
  if (signal_number == 0 && every_bytes == 0)
    return;
  if (start_thread() < 0) {
    fprintf(stderr, "tracemalloc: cannot start the dump thread: %s\n",
            strerror(errno));
    return;
  }
  if (signal_number > 0) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_dump_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
  }
  if (every_bytes > 0)
    tm_set_growth_trigger(every_bytes, request_dump);
}
