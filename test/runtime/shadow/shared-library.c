// An instrumented executable and an instrumented shared library share one
// shadow stack: the executable's code defines __tm_shadow itself (reached
// with local-exec TLS) and exports it, and the library (-fPIC: initial-exec)
// and the runtime bind to that definition. Tracebacks run through the frames
// of both, in either direction. Linked into an uninstrumented executable,
// the library binds to the runtime's definition instead. Compiling and
// linking with -shared but no code model, tmcc adds -fPIC.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 -shared -DLIBRARY %s -o %t/libshared.so
// RUN: %tmcc -O1 %s -L%t -lshared -Wl,-rpath,%t -o %t/prog
// RUN: readelf -W --dyn-syms %t/prog | FileCheck --check-prefix=EXE-SYM %s
// RUN: readelf -W --dyn-syms %t/libshared.so | FileCheck --check-prefix=LIB-SYM %s
// RUN: env TRACEMALLOC=8 %t/prog | FileCheck %s
// RUN: %clang -O1 -I%include %s -L%t -lshared -L%libdir -ltracemalloc -Wl,-rpath,%t -Wl,-rpath,%libdir -o %t/plain
// RUN: readelf -W --dyn-syms %t/plain | FileCheck --check-prefix=PLAIN-SYM %s
// RUN: env TRACEMALLOC=8 %t/plain | FileCheck --check-prefix=PLAIN %s
#ifdef LIBRARY
#include <stdlib.h>

__attribute__((noinline)) static void *lib_inner(size_t size) {
  return malloc(size);
}

void *lib_alloc(size_t size) { return lib_inner(size); }

void *lib_call(void *(*fn)(size_t), size_t size) { return fn(size); }
#else
#include "Inputs/shadow-print.h"

void *lib_alloc(size_t size);
void *lib_call(void *(*fn)(size_t), size_t size);

void *volatile keep[2];

__attribute__((noinline)) static void *exe_alloc(size_t size) {
  return malloc(size);
}

int main(void) {
  keep[0] = lib_alloc(1001);
  keep[1] = lib_call(exe_alloc, 1002);
  shadow_print_traces(1000);
  return 0;
}
#endif

// EXE-SYM: TLS WEAK DEFAULT {{[0-9]+}} __tm_shadow
// LIB-SYM: TLS GLOBAL DEFAULT UND __tm_shadow
// PLAIN-SYM-NOT: __tm_shadow

// CHECK:      size=1001 nframe=3 total=3
// CHECK-NEXT:   main shared-library.c:41
// CHECK-NEXT:   lib_alloc shared-library.c:25
// CHECK-NEXT:   lib_inner shared-library.c:22
// CHECK-NEXT: size=1002 nframe=3 total=3
// CHECK-NEXT:   main shared-library.c:42
// CHECK-NEXT:   lib_call shared-library.c:27
// CHECK-NEXT:   exe_alloc shared-library.c:37
// CHECK-NEXT: end

// main and exe_alloc are not instrumented: exe_alloc's malloc reaches the
// runtime's interposer, which starts at the innermost call site recorded.
// PLAIN:      size=1001 nframe=2 total=2
// PLAIN-NEXT:   lib_alloc shared-library.c:25
// PLAIN-NEXT:   lib_inner shared-library.c:22
// PLAIN-NEXT: size=1002 nframe=1 total=1
// PLAIN-NEXT:   lib_call shared-library.c:27
// PLAIN-NEXT: end
