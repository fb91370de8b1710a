// tracemalloc_get_object_traceback: the traceback of the block containing an
// address (its start or an interior byte), NULL for untraced and freed
// blocks and when not tracing.
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck %s
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void show(const char *what, const void *ptr) {
  tracemalloc_traceback *tb = tracemalloc_get_object_traceback(ptr);
  if (!tb) {
    printf("%s: none\n", what);
    return;
  }
  printf("%s: %u frames, total %u\n", what, tb->nframe, tb->total_nframe);
  for (unsigned int i = 0; i < tb->nframe; i++) {
    const char *base = strrchr(tb->frames[i]->filename, '/');
    printf("  %s:%u %s\n", base ? base + 1 : tb->frames[i]->filename,
           tb->frames[i]->lineno, tb->frames[i]->function);
  }
  tracemalloc_traceback_free(tb);
}

__attribute__((noinline)) char *make_buffer(size_t size) {
  return malloc(size);
}

__attribute__((noinline)) char *make_record(void) {
  return make_buffer(300);
}

int main(void) {
  char *before = malloc(10);
  show("not tracing", before);
  // CHECK: not tracing: none
  tracemalloc_start(25);
  char *record = make_record();
  show("start", record);
  // CHECK-NEXT: start: 3 frames, total 3
  // CHECK-NEXT:   object-traceback.c:40 main
  // CHECK-NEXT:   object-traceback.c:32 make_record
  // CHECK-NEXT:   object-traceback.c:28 make_buffer
  show("interior", record + 299);
  // CHECK-NEXT: interior: 3 frames, total 3
  // CHECK-NEXT:   object-traceback.c:40 main
  // CHECK-NEXT:   object-traceback.c:32 make_record
  // CHECK-NEXT:   object-traceback.c:28 make_buffer
  show("one past the end", record + 300);
  // CHECK-NEXT: one past the end: none
  show("allocated before tracing", before);
  // CHECK-NEXT: allocated before tracing: none
  free(record);
  show("freed", record);
  // CHECK-NEXT: freed: none
  free(before);
  return 0;
}
