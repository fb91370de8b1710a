// An instrumented shared library loaded with dlopen is traced, and after
// dlclose a snapshot still names its sites: the site records live in the
// library, so the runtime copies the ones the depot refers to before the
// real dlclose unmaps them. Loading it again traces its new sites.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 -shared -fPIC -DLIBRARY %s -o %t/libdyn.so
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: env TRACEMALLOC=4 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/out.tms %t/prog %t/libdyn.so | FileCheck %s
// RUN: %tracemalloc top --include '*/dlclose.c' %t/out.tms | FileCheck --check-prefix=TOP %s
#ifdef LIBRARY
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void *inner(size_t size) {
  return malloc(size);
}

void *lib_alloc(size_t size) {
  void *p = inner(size);
  return p;
}

char *lib_name(void) {
  return strdup("a name kept by the library");
}
#else
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void *keep[4];

static void print_snapshot(const char *when) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  tracemalloc_statistics *stats =
      tracemalloc_snapshot_statistics(snapshot, TRACEMALLOC_KEY_TRACEBACK, 0);
  printf("%s:\n", when);
  for (size_t i = 0; i < stats->count; i++) {
    const tracemalloc_traceback *tb = stats->items[i].traceback;
    printf("  size=%zu count=%zu", stats->items[i].size, stats->items[i].count);
    for (unsigned int j = tb->nframe; j-- > 0;) {
      const char *base = strrchr(tb->frames[j]->filename, '/');
      printf(" %s:%u:%s", base ? base + 1 : tb->frames[j]->filename,
             tb->frames[j]->lineno, tb->frames[j]->function);
    }
    printf("\n");
  }
  tracemalloc_statistics_free(stats);
  tracemalloc_snapshot_free(snapshot);
}

static void load_and_allocate(const char *path, int round) {
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    printf("dlopen: %s\n", dlerror());
    exit(1);
  }
  void *(*lib_alloc)(size_t) = (void *(*)(size_t))dlsym(library, "lib_alloc");
  char *(*lib_name)(void) = (char *(*)(void))dlsym(library, "lib_name");
  keep[2 * round] = lib_alloc(1000 + (size_t)round);
  keep[2 * round + 1] = lib_name();
  if (dlclose(library) != 0)
    printf("dlclose: %s\n", dlerror());
  // Really gone: its pages are unmapped.
  if (dlopen(path, RTLD_NOW | RTLD_NOLOAD))
    printf("still loaded\n");
}

int main(int argc, char **argv) {
  (void)argc;
  load_and_allocate(argv[1], 0);
  print_snapshot("after the first dlclose");
  load_and_allocate(argv[1], 1);
  print_snapshot("after the second dlclose");
  free(keep[1]);
  print_snapshot("after a free");
  return 0;
}
#endif

// CHECK-NOT: still loaded
// CHECK-LABEL: after the first dlclose:
// CHECK-DAG: size=1000 count=1 dlclose.c:16:inner dlclose.c:20:lib_alloc dlclose.c:63:load_and_allocate dlclose.c:74:main
// CHECK-DAG: size=27 count=1 dlclose.c:25:lib_name dlclose.c:64:load_and_allocate dlclose.c:74:main
// CHECK-LABEL: after the second dlclose:
// CHECK-DAG: size=1001 count=1 dlclose.c:16:inner dlclose.c:20:lib_alloc dlclose.c:63:load_and_allocate dlclose.c:76:main
// CHECK-DAG: size=1000 count=1 dlclose.c:16:inner dlclose.c:20:lib_alloc dlclose.c:63:load_and_allocate dlclose.c:74:main
// CHECK-DAG: size=27 count=1 dlclose.c:25:lib_name dlclose.c:64:load_and_allocate dlclose.c:74:main
// CHECK-DAG: size=27 count=1 dlclose.c:25:lib_name dlclose.c:64:load_and_allocate dlclose.c:76:main
// CHECK-LABEL: after a free:
// CHECK-NEXT: size=1001 count=1 dlclose.c:16:inner dlclose.c:20:lib_alloc dlclose.c:63:load_and_allocate dlclose.c:76:main
// CHECK-NEXT: size=1000 count=1 dlclose.c:16:inner dlclose.c:20:lib_alloc dlclose.c:63:load_and_allocate dlclose.c:74:main
// CHECK-NEXT: size=27 count=1 dlclose.c:25:lib_name dlclose.c:64:load_and_allocate dlclose.c:76:main
// CHECK-NOT: size=

// TOP: [ Top 10 ]
// TOP-DAG: dlclose.c:16: size=2001 B, count=2, average=1000 B
// TOP-DAG: dlclose.c:25: size=27 B, count=1, average=27 B
