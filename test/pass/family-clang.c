// The configuration through clang: TRACEMALLOC_CONFIG or
// -mllvm -tracemalloc-config=FILE (the option wins). An error in the file
// fails the compilation with a diagnostic naming FILE:LINE.
//
// RUN: printf 'malloc my_alloc size=0 domain=9\n' > %t.good
// RUN: printf 'malloc my_alloc size=0 domain=9 align=16\n' > %t.bad
// RUN: env TRACEMALLOC_CONFIG=%t.good %tmcc -O2 -S -emit-llvm %s -o - | FileCheck %s
// RUN: %tmcc -O2 -S -emit-llvm -mllvm -tracemalloc-config=%t.good %s -o - | FileCheck %s
// RUN: env TRACEMALLOC_CONFIG=%t.bad %tmcc -O2 -S -emit-llvm -mllvm -tracemalloc-config=%t.good %s -o - | FileCheck %s
// RUN: env TRACEMALLOC_CONFIG=%t.bad not %tmcc -O0 -c %s -o %t.o 2>&1 | FileCheck --check-prefix=BAD %s
// RUN: env TRACEMALLOC_CONFIG=%t.bad not %tmcc -O2 -c %s -o %t.o 2>&1 | FileCheck --check-prefix=BAD %s
// RUN: env TRACEMALLOC_CONFIG=%t.missing not %tmcc -O2 -c %s -o %t.o 2>&1 | FileCheck --check-prefix=MISSING %s
#include <stdlib.h>

void *my_alloc(size_t size) { return malloc(size); }

// CHECK-LABEL: define {{.*}}ptr @my_alloc(
// CHECK: call i32 @__tm_family_enter()
// CHECK: call void @__tm_family_alloc(i32 %{{.*}}, i32 9,

// BAD: error: tracemalloc: {{.*}}.bad:1: unknown key 'align' for a malloc function (expected size, domain)
// BAD-NOT: error:
// BAD: 1 error generated.

// MISSING: error: tracemalloc: {{.*}}.missing: cannot read the configuration file: No such file or directory
