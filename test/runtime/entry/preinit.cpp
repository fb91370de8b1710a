// Tracing starts from the executable's .preinit_array (tmc++ links the
// entry, runtime/tracer/preinit.c), before the initialiser of any shared
// library: the block libstdc++'s initialiser allocates for its emergency
// exception pool (72,704 bytes with Debian 12's libstdc++) is traced, as
// heaptrack sees it. Started from the runtime's constructor instead, it was
// not: libstdc++ comes after libtracemalloc.so among the program's needed
// libraries, so its initialiser ran first.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcxx -O1 %s -o %t/prog
// RUN: readelf -SW %t/prog | FileCheck --check-prefix=ENTRY %s
// ENTRY: .preinit_array
// RUN: env TRACEMALLOC=1 TRACEMALLOC_DUMP=%t/prog.tms %t/prog | FileCheck --check-prefix=POOL %s
// RUN: %tracemalloc export %t/prog.tms --format collapsed -o - | FileCheck --check-prefix=DUMP %s
// DUMP: {{^}}<unknown>:0 72704{{$}}
//
// The constructors of shared libraries allocate after the start too, in one
// built with tmcc -shared (which links no entry: a shared library may not
// have one) as in a prebuilt one.
// RUN: %tmcc -O1 -shared -fPIC -DLIB_BLOCK=23456 %S/Inputs/ctor-alloc.c -o %t/libinstrumented.so
// RUN: %clang -O1 -shared -fPIC -DLIB_BLOCK=12345 %S/Inputs/ctor-alloc.c -o %t/libprebuilt.so
// RUN: readelf -SW %t/libinstrumented.so | FileCheck --check-prefix=NO-ENTRY %s
// NO-ENTRY-NOT: .preinit_array
// RUN: %tmcxx -O1 %s -Wl,--no-as-needed -L%t -Wl,-rpath,%t -lprebuilt -linstrumented -o %t/prog-libs
// RUN: env TRACEMALLOC=1 %t/prog-libs | FileCheck --check-prefix=LIBS %s
//
// Without TRACEMALLOC, the entry starts nothing.
// RUN: not %t/prog-libs | FileCheck --check-prefix=OFF %s
// OFF: no snapshot: the tracemalloc module must be tracing
#include "../shadow/Inputs/shadow-print.h"

int main() {
  // The blocks of 10,000 bytes or more: none of the program's own.
  shadow_print_traces(10000);
  return 0;
}

// POOL:      size=72704 nframe=1 total=1
// POOL-NEXT:   <unknown>:0
// POOL-NEXT: end
//
// LIBS:      size=12345 nframe=1 total=1
// LIBS-NEXT:   <unknown>:0
// LIBS-NEXT: size=23456 nframe=1 total=1
// LIBS-NEXT:   allocate_at_load ctor-alloc.c:7
// LIBS-NEXT: size=72704 nframe=1 total=1
// LIBS-NEXT:   <unknown>:0
// LIBS-NEXT: end
