/*
 * dumper.c - snapshots of a running program, written by a thread of ours.
 *
 * A long-running program (a server) is profiled without changing its code:
 * on a signal (TRACEMALLOC_DUMP_SIGNAL) and every time traced memory grows by
 * a given amount (TRACEMALLOC_DUMP_EVERY), a numbered snapshot file is
 * written. Neither a signal handler nor the allocation path may take a
 * snapshot themselves (it allocates and takes every lock), so both only
 * write a byte to a pipe; a background thread of the runtime, with every
 * signal blocked, reads it and dumps.
 */
#include "tracer.h"
#include "tm_startup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int wake_pipe[2] = {-1, -1};
static _Atomic unsigned long dump_sequence;

/* Async-signal-safe: one write, errno kept. A full pipe means a dump is
 * already pending, which is enough. */
static void wake_dumper(void) {
  int saved_errno = errno;
  char byte = 1;
  ssize_t ignored = write(wake_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved_errno;
}

static void on_dump_signal(int sig) {
  (void)sig;
  wake_dumper();
}

static void dump_numbered(void) {
  unsigned long n = atomic_fetch_add(&dump_sequence, 1) + 1;
  char path[TM_PATH_MAX];
  if (tm_dump_path(path, sizeof(path), n) < 0) {
    fprintf(stderr, "tracemalloc: dump file name too long\n");
    return;
  }
  tm_dump_to(path);
}

static void *dumper_main(void *arg) {
  (void)arg;
  for (;;) {
    char bytes[64];
    ssize_t n = read(wake_pipe[0], bytes, sizeof(bytes));
    if (n > 0)
      dump_numbered();
    else if (n == 0 || errno != EINTR)
      return NULL;
  }
}

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

int tm_dumper_start(int signal_number, size_t every_bytes) {
  if (start_thread() < 0) {
    fprintf(stderr, "tracemalloc: cannot start the dump thread: %s\n",
            strerror(errno));
    return -1;
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
    tm_set_growth_trigger(every_bytes, wake_dumper);
  return 0;
}
