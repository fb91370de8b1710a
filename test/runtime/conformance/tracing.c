// CPython's Lib/test/test_tracemalloc.py, TestTracemallocEnabled, in C: each
// test starts tracing with start(1) like its setUp() and stops like its
// tearDown(). get_tracemalloc_memory, get_object_traceback, the traceback
// limit and its range, get_traces and the interning of equal tracebacks,
// get_traced_memory with the test's tolerance of 2048 bytes, clear_traces,
// reset_peak, is_tracing, a snapshot's dump/load round trip (and through
// Python: the pickle export read by Snapshot.load() has exactly the traces
// the C API shows), take_snapshot when not tracing, and fork.
//
// clang-format off
// RUN: %tmcc -O1 %s -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir && cd %t.dir
// RUN: %t > out.txt
// RUN: FileCheck --match-full-lines %s < out.txt
// RUN: %python %S/Inputs/api_print_pickle.py snapshot.pickle > python.txt
// RUN: diff c.txt python.txt
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tracemalloc.h>
#include <unistd.h>

enum { MAX_ERROR = 2048 };

static void set_up(void) { tracemalloc_start(1); }
static void tear_down(void) { tracemalloc_stop(); }

static const char *base(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Frames oldest first, as iterating a Traceback. */
static void print_traceback(const char *title,
                            const tracemalloc_traceback *traceback) {
  printf("%s: %u/%u", title, traceback->nframe, traceback->total_nframe);
  for (unsigned int i = 0; i < traceback->nframe; i++)
    printf(" %s:%u", base(traceback->frames[i]->filename),
           traceback->frames[i]->lineno);
  printf("\n");
}

__attribute__((noinline)) static void *allocate_bytes(size_t size) {
  return malloc(size);
}

static void test_get_tracemalloc_memory(void) {
  set_up();
  void *data[1000];
  for (int i = 0; i < 1000; i++)
    data[i] = allocate_bytes(123);
  size_t size = tracemalloc_get_tracemalloc_memory();
  tracemalloc_clear_traces();
  size_t size2 = tracemalloc_get_tracemalloc_memory();
  printf("test_get_tracemalloc_memory: size>0 %d size2<=size %d\n", size > 0,
         size2 <= size);
  for (int i = 0; i < 1000; i++)
    free(data[i]);
  tear_down();
}
// CHECK: test_get_tracemalloc_memory: size>0 1 size2<=size 1

static void test_get_object_traceback(void) {
  set_up();
  tracemalloc_clear_traces();
  char *obj = allocate_bytes(12345);
  tracemalloc_traceback *traceback = tracemalloc_get_object_traceback(obj);
  print_traceback("test_get_object_traceback", traceback);
  tracemalloc_traceback_free(traceback);
  free(obj);
  tear_down();
}
// The limit is 1: the most recent frame, in allocate_bytes().
// CHECK-NEXT: test_get_object_traceback: 1/3 tracing.c:46

/* depth + 1 frames of nested() above allocate_bytes(). */
__attribute__((noinline)) static void *nested(int depth, size_t size) {
  void *result = depth ? nested(depth - 1, size) : allocate_bytes(size);
  __asm__ volatile("" ::: "memory"); /* not a tail call */
  return result;
}

static void test_set_traceback_limit(void) {
  tracemalloc_stop();
  printf("start(-1)=%d start(0)=%d start(65536)=%d start(2**30)=%d\n",
         tracemalloc_start((unsigned int)-1), tracemalloc_start(0),
         tracemalloc_start(65536), tracemalloc_start(1u << 30));
  tracemalloc_start(10);
  void *obj2 = nested(10, 10);
  tracemalloc_traceback *traceback = tracemalloc_get_object_traceback(obj2);
  print_traceback("limit 10", traceback);
  tracemalloc_traceback_free(traceback);
  tracemalloc_stop();
  tracemalloc_start(1);
  void *obj = nested(10, 10);
  traceback = tracemalloc_get_object_traceback(obj);
  print_traceback("limit 1", traceback);
  tracemalloc_traceback_free(traceback);
  free(obj);
  free(obj2);
  tear_down();
}
// clang-format off
// CHECK-NEXT: start(-1)=-1 start(0)=-1 start(65536)=-1 start(2**30)=-1
// CHECK-NEXT: limit 10: 10/14 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:80 tracing.c:46
// CHECK-NEXT: limit 1: 1/14 tracing.c:46
// clang-format on

/* The trace of a block in a snapshot, found by its size. */
static const tracemalloc_trace *find_trace(const tracemalloc_snapshot *snapshot,
                                           size_t size) {
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    if (trace->size == size)
      return trace;
  }
  return NULL;
}

__attribute__((noinline)) static void *allocate_bytes4(size_t size) {
  void *result = nested(2, size);
  __asm__ volatile("" ::: "memory");
  return result;
}

static void test_get_traces(void) {
  set_up();
  tracemalloc_clear_traces();
  void *obj = allocate_bytes(12345);
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  const tracemalloc_trace *trace = find_trace(snapshot, 12345);
  printf("test_get_traces: size=%zu domain=%u\n", trace->size, trace->domain);
  print_traceback("test_get_traces", trace->traceback);
  tracemalloc_snapshot_free(snapshot);
  tracemalloc_stop();
  printf("after stop: snapshot %s\n",
         tracemalloc_take_snapshot() ? "taken" : "refused");
  free(obj);

  /* test_get_traces_intern_traceback: identical tracebacks are one. */
  tracemalloc_start(4);
  void *obj1 = allocate_bytes4(123), *obj2 = allocate_bytes4(124);
  snapshot = tracemalloc_take_snapshot();
  printf("interned: %d\n", find_trace(snapshot, 123)->traceback ==
                               find_trace(snapshot, 124)->traceback);
  tracemalloc_snapshot_free(snapshot);
  free(obj1);
  free(obj2);
  tear_down();
}
// CHECK-NEXT: test_get_traces: size=12345 domain=0
// CHECK-NEXT: test_get_traces: 1/3 tracing.c:46
// CHECK-NEXT: after stop: snapshot refused
// CHECK-NEXT: interned: 1

static void test_get_traced_memory(void) {
  set_up();
  const size_t obj_size = 1024 * 1024;
  tracemalloc_clear_traces();
  void *obj = allocate_bytes(obj_size);
  size_t size, peak_size;
  tracemalloc_get_traced_memory(&size, &peak_size);
  int ok = size >= obj_size && peak_size >= size &&
           size - obj_size <= MAX_ERROR && peak_size - size <= MAX_ERROR;
  free(obj);
  size_t size2, peak_size2;
  tracemalloc_get_traced_memory(&size2, &peak_size2);
  ok = ok && size2 < size && size - size2 >= obj_size - MAX_ERROR &&
       peak_size2 >= peak_size;
  printf("test_get_traced_memory: %d\n", ok);
  tracemalloc_clear_traces();
  tracemalloc_get_traced_memory(&size, &peak_size);
  printf("clear_traces: (%zu, %zu)\n", size, peak_size);
  obj = allocate_bytes(obj_size);
  tracemalloc_get_traced_memory(&size, &peak_size);
  printf("allocated again: %d\n", size >= obj_size);
  tracemalloc_stop();
  tracemalloc_get_traced_memory(&size, &peak_size);
  printf("stop: (%zu, %zu)\n", size, peak_size);
  free(obj);
  tear_down();
}
// CHECK-NEXT: test_get_traced_memory: 1
// CHECK-NEXT: clear_traces: (0, 0)
// CHECK-NEXT: allocated again: 1
// CHECK-NEXT: stop: (0, 0)

static void test_clear_traces(void) {
  set_up();
  void *obj = allocate_bytes(123);
  tracemalloc_traceback *traceback = tracemalloc_get_object_traceback(obj);
  printf("test_clear_traces: before %d", traceback != NULL);
  tracemalloc_traceback_free(traceback);
  tracemalloc_clear_traces();
  traceback = tracemalloc_get_object_traceback(obj);
  printf(", after %d\n", traceback != NULL);
  free(obj);
  tear_down();
}
// CHECK-NEXT: test_clear_traces: before 1, after 0

static void test_reset_peak(void) {
  set_up();
  tracemalloc_clear_traces();
  /* A large piece of memory, temporarily. */
  free(allocate_bytes(100000 * sizeof(long)));
  size_t size1, peak1, size2, peak2, size3, peak3;
  tracemalloc_get_traced_memory(&size1, &peak1);
  tracemalloc_reset_peak();
  tracemalloc_get_traced_memory(&size2, &peak2);
  printf("test_reset_peak: peak2>=size2 %d peak2<peak1 %d\n", peak2 >= size2,
         peak2 < peak1);
  const size_t obj_size = 1024 * 1024;
  void *obj = allocate_bytes(obj_size);
  tracemalloc_get_traced_memory(&size3, &peak3);
  printf("grows again: peak3>=size3 %d peak3>peak2 %d peak3-peak2>=obj %d\n",
         peak3 >= size3, peak3 > peak2, peak3 - peak2 >= obj_size);
  free(obj);
  tear_down();
}
// CHECK-NEXT: test_reset_peak: peak2>=size2 1 peak2<peak1 1
// CHECK-NEXT: grows again: peak3>=size3 1 peak3>peak2 1 peak3-peak2>=obj 1

static void test_is_tracing(void) {
  set_up();
  tracemalloc_stop();
  int stopped = tracemalloc_is_tracing();
  tracemalloc_start(1);
  printf("test_is_tracing: %d %d\n", stopped, tracemalloc_is_tracing());
  tear_down();
}
// CHECK-NEXT: test_is_tracing: 0 1

static int same_traces(const tracemalloc_snapshot *a,
                       const tracemalloc_snapshot *b) {
  size_t n = tracemalloc_snapshot_trace_count(a);
  if (n != tracemalloc_snapshot_trace_count(b))
    return 0;
  for (size_t i = 0; i < n; i++) {
    const tracemalloc_trace *x = tracemalloc_snapshot_trace(a, i);
    const tracemalloc_trace *y = tracemalloc_snapshot_trace(b, i);
    if (x->domain != y->domain || x->size != y->size ||
        x->traceback->nframe != y->traceback->nframe ||
        x->traceback->total_nframe != y->traceback->total_nframe)
      return 0;
    for (unsigned int j = 0; j < x->traceback->nframe; j++)
      if (strcmp(x->traceback->frames[j]->filename,
                 y->traceback->frames[j]->filename) != 0 ||
          x->traceback->frames[j]->lineno != y->traceback->frames[j]->lineno)
        return 0;
  }
  return 1;
}

/* The raw traces as Python's repr() writes them: frames most recent first. */
static void write_python_view(const tracemalloc_snapshot *snapshot,
                              const char *path) {
  FILE *out = fopen(path, "w");
  for (size_t i = 0; i < tracemalloc_snapshot_trace_count(snapshot); i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    const tracemalloc_traceback *tb = trace->traceback;
    fprintf(out, "(%u, %zu, (", trace->domain, trace->size);
    for (unsigned int j = tb->nframe; j-- > 0;)
      fprintf(out, "('%s', %u)%s", tb->frames[j]->filename,
              tb->frames[j]->lineno,
              tb->nframe == 1 ? ","
              : j             ? ", "
                              : "");
    fprintf(out, "), %u)\n", tb->total_nframe);
  }
  fprintf(out, "traceback_limit=%u\n",
          tracemalloc_snapshot_traceback_limit(snapshot));
  fclose(out);
}

static void test_snapshot(void) {
  tracemalloc_start(5);
  void *obj = nested(3, 123);
  void *big = allocate_bytes((size_t)3 << 30); /* a LONG1 size */
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  printf("test_snapshot: dump %d",
         tracemalloc_snapshot_dump(snapshot, "snapshot.tms"));
  tracemalloc_snapshot *snapshot2 = tracemalloc_snapshot_load("snapshot.tms");
  printf(", same traces %d", same_traces(snapshot, snapshot2));
  printf(", pickle %d\n",
         tracemalloc_snapshot_dump_pickle(snapshot, "snapshot.pickle"));
  write_python_view(snapshot, "c.txt");
  tracemalloc_snapshot_free(snapshot2);
  tracemalloc_snapshot_free(snapshot);
  free(obj);
  free(big);
  tracemalloc_stop();
  snapshot = tracemalloc_take_snapshot();
  printf("not tracing: %p: %s\n", (void *)snapshot, tracemalloc_last_error());
}
// clang-format off
// CHECK-NEXT: test_snapshot: dump 0, same traces 1, pickle 0
// CHECK-NEXT: not tracing: (nil): the tracemalloc module must be tracing memory allocations to take a snapshot
// clang-format on

static void test_fork(void) {
  set_up();
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int exitcode = 0;
    if (!tracemalloc_is_tracing()) {
      exitcode = 2;
    } else {
      void *obj = allocate_bytes(12345);
      tracemalloc_traceback *traceback = tracemalloc_get_object_traceback(obj);
      exitcode = traceback ? 0 : 3;
      tracemalloc_traceback_free(traceback);
      free(obj);
    }
    _exit(exitcode);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("test_fork: exit code %d\n",
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  tear_down();
}
// CHECK-NEXT: test_fork: exit code 0

int main(void) {
  test_get_tracemalloc_memory();
  test_get_object_traceback();
  test_set_traceback_limit();
  test_get_traces();
  test_get_traced_memory();
  test_clear_traces();
  test_reset_peak();
  test_is_tracing();
  test_snapshot();
  test_fork();
  return 0;
}
