// A library unloaded, then another one loaded at the same address, called
// from the same call stack: the allocation's traceback names the new
// library's site. Each thread caches the traceback ids of the call stacks it
// saw, keyed by the addresses of the site records; the unload must forget
// them, or the new library's site, at the old one's address, would get the
// old traceback. The two libraries are the same code with other line numbers
// (#line), so that their site records have the same layout.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 -shared -fPIC -DLIBRARY -DFIRST %s -o %t/libfirst.so
// RUN: %tmcc -O1 -shared -fPIC -DLIBRARY %s -o %t/libsecond.so
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 %t/prog %t/libfirst.so %t/libsecond.so | FileCheck %s
// RUN: env TRACEMALLOC=4 TRACEMALLOC_UNINSTRUMENTED=0 %t/prog %t/libfirst.so %t/libsecond.so | FileCheck --check-prefix=CHECK4 %s
#ifdef LIBRARY
#include <stdlib.h>

#ifdef FIRST
#line 100
#else
#line 200
#endif
void *lib_alloc(size_t size) { return malloc(size); }
#else
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracemalloc.h>

static void print_traceback(void *block) {
  tracemalloc_traceback *tb = tracemalloc_get_object_traceback(block);
  if (!tb) {
    printf("no traceback\n");
    return;
  }
  for (unsigned int j = 0; j < tb->nframe; j++) {
    const char *base = strrchr(tb->frames[j]->filename, '/');
    printf(" %s:%u", base ? base + 1 : tb->frames[j]->filename,
           tb->frames[j]->lineno);
  }
  printf(" total=%u\n", tb->total_nframe);
  tracemalloc_traceback_free(tb);
}

// Both libraries are called from here, from the same call stack.
__attribute__((noinline)) static void *call(void *(*lib_alloc)(size_t)) {
  return lib_alloc(16);
}

static void load_and_allocate(const char *path) {
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    printf("dlopen: %s\n", dlerror());
    exit(1);
  }
  void *(*lib_alloc)(size_t) = (void *(*)(size_t))dlsym(library, "lib_alloc");
  // Twice: the second allocation finds the first one's traceback cached.
  for (int i = 0; i < 2; i++) {
    void *block = call(lib_alloc);
    printf("%s:", strrchr(path, '/') + 1);
    print_traceback(block);
    free(block);
  }
  if (dlclose(library) != 0)
    printf("dlclose: %s\n", dlerror());
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    load_and_allocate(argv[i]);
  return 0;
}
#endif

// CHECK: libfirst.so: dlclose-reload.c:103 total=4
// CHECK-NEXT: libfirst.so: dlclose-reload.c:103 total=4
// CHECK-NEXT: libsecond.so: dlclose-reload.c:201 total=4
// CHECK-NEXT: libsecond.so: dlclose-reload.c:201 total=4

// CHECK4: libfirst.so: dlclose-reload.c:71 dlclose-reload.c:60 dlclose-reload.c:48 dlclose-reload.c:103 total=4
// CHECK4-NEXT: libfirst.so: dlclose-reload.c:71 dlclose-reload.c:60 dlclose-reload.c:48 dlclose-reload.c:103 total=4
// CHECK4-NEXT: libsecond.so: dlclose-reload.c:71 dlclose-reload.c:60 dlclose-reload.c:48 dlclose-reload.c:201 total=4
// CHECK4-NEXT: libsecond.so: dlclose-reload.c:71 dlclose-reload.c:60 dlclose-reload.c:48 dlclose-reload.c:201 total=4
