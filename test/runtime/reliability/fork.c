// fork while other threads allocate: the runtime holds every lock across
// fork (pthread_atfork), so each child starts with consistent tables and
// free locks -- it keeps tracing, takes snapshots, starts threads -- and
// the parent never sees the children's blocks. exec works and starts
// tracing afresh. TRACEMALLOC_DUMP with %p gives one file per process.
//
// RUN: rm -rf %t && mkdir -p %t/dumps
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: env TRACEMALLOC=3 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/dumps/dump.%%p.tms timeout 60 %t/prog | FileCheck %s
// RUN: ls %t/dumps | count 2
// Not tracing at all: no deadlock either.
// RUN: env TRACEMALLOC_UNINSTRUMENTED=0 timeout 60 %t/prog | FileCheck --check-prefix=OFF %s
// RUN: %python -c "import glob, subprocess; [subprocess.run(['%tracemalloc', 'top', '--limit', '3', f], check=True) for f in sorted(glob.glob('%t/dumps/dump.*.tms'))]" | FileCheck --check-prefix=DUMPS %s
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tracemalloc.h>
#include <unistd.h>

#define HELPERS 4
#define FORKS 40

static _Atomic int stop_helpers;
// Blocks stored here are not optimised away.
static void *volatile sink[4];

static void *helper(void *arg) {
  (void)arg;
  void *kept[64] = {0};
  for (unsigned i = 0; !stop_helpers; i++) {
    free(kept[i % 64]);
    kept[i % 64] = malloc(16 + i % 1000);
    if (i % 7 == 0) {
      tracemalloc_snapshot_free(tracemalloc_take_snapshot());
    }
  }
  for (int i = 0; i < 64; i++)
    free(kept[i]);
  return NULL;
}

static void *child_thread(void *arg) { return sink[2] = malloc((size_t)arg); }

static size_t snapshot_sum(size_t *count) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  size_t n = snapshot ? tracemalloc_snapshot_trace_count(snapshot) : 0;
  size_t sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += tracemalloc_snapshot_trace(snapshot, i)->size;
  tracemalloc_snapshot_free(snapshot);
  if (count)
    *count = n;
  return sum;
}

// In the child: the inherited table is consistent, and tracing goes on.
static int child(int dump) {
  if (!tracemalloc_is_tracing()) {
    // Not tracing: the locks a snapshot and clear_traces take must be free
    // too (a helper may have been in take_snapshot at the fork).
    tracemalloc_snapshot_free(tracemalloc_take_snapshot());
    tracemalloc_clear_traces();
    _exit(0);
  }
  size_t current, peak;
  tracemalloc_get_traced_memory(&current, &peak);
  int ok = tracemalloc_is_tracing() && snapshot_sum(NULL) == current;
  void *mine = sink[0] = malloc(123457);
  size_t after;
  tracemalloc_get_traced_memory(&after, NULL);
  ok = ok && after == current + 123457;
  pthread_t thread;
  void *from_thread;
  pthread_create(&thread, NULL, child_thread, (void *)4321);
  pthread_join(thread, &from_thread);
  tracemalloc_get_traced_memory(&after, NULL);
  ok = ok && after == current + 123457 + 4321 && snapshot_sum(NULL) == after;
  free(mine);
  free(from_thread);
  tracemalloc_get_traced_memory(&after, NULL);
  ok = ok && after == current;
  tracemalloc_clear_traces();
  tracemalloc_get_traced_memory(&after, NULL);
  ok = ok && after == 0;
  if (!ok)
    printf("child %d: inconsistent\n", (int)getpid());
  fflush(stdout);
  if (dump) {
    // Kept for the child's dump at exit.
    sink[1] = malloc(55555);
    exit(ok ? 0 : 1);
  }
  _exit(ok ? 0 : 1);
}

static int exec_child(void) {
  void *block = sink[2] = malloc(777);
  size_t current;
  tracemalloc_get_traced_memory(&current, NULL);
  printf("exec child: tracing %d, limit %u, traced at least 777: %s\n",
         tracemalloc_is_tracing(), tracemalloc_get_traceback_limit(),
         current >= 777 ? "yes" : "no");
  free(block);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
    return exec_child();
  sink[3] = malloc(99999);
  pthread_t helpers[HELPERS];
  for (int i = 0; i < HELPERS; i++)
    pthread_create(&helpers[i], NULL, helper, NULL);

  int failures = 0;
  for (int i = 0; i < FORKS; i++) {
    pid_t pid = fork();
    if (pid == 0)
      return child(i == FORKS - 1);
    int status;
    waitpid(pid, &status, 0);
    failures += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  }
  printf("forks: %d, failures: %d\n", FORKS, failures);
  fflush(stdout);

  pid_t pid = fork();
  if (pid == 0) {
    // A fresh environment, but for the sanitizers' options (a sanitized
    // build, utils/check-sanitizers).
    char asan[512] = "ASAN_OPTIONS=";
    const char *options = getenv("ASAN_OPTIONS");
    strncat(asan, options ? options : "", sizeof(asan) - strlen(asan) - 1);
    char *env[] = {"TRACEMALLOC=7", asan, NULL};
    execle(argv[0], argv[0], "exec-child", (char *)NULL, env);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("exec: status %d\n", WEXITSTATUS(status));

  stop_helpers = 1;
  for (int i = 0; i < HELPERS; i++)
    pthread_join(helpers[i], NULL);
  // The children's blocks never reached the parent's table.
  size_t count, sum = snapshot_sum(&count), current;
  tracemalloc_get_traced_memory(&current, NULL);
  printf("parent: %zu traces, %zu bytes, current %zu\n", count, sum, current);
  return 0;
}

// CHECK: forks: 40, failures: 0
// CHECK-NEXT: exec child: tracing 1, limit 7, traced at least 777: yes
// CHECK-NEXT: exec: status 0
// CHECK-NEXT: parent: 1 traces, 99999 bytes, current 99999

// OFF: forks: 40, failures: 0
// OFF-NEXT: exec child: tracing 1, limit 7, traced at least 777: yes
// OFF-NEXT: exec: status 0
// OFF-NEXT: parent: 0 traces, 0 bytes, current 0

// DUMPS-DAG: {{.*}}/fork.c:112: size=97.7 KiB, count=1, average=97.7 KiB
// DUMPS-DAG: {{.*}}/fork.c:92: size=54.3 KiB, count=1, average=54.3 KiB
