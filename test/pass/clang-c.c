// RUN: %clang -O0 -g -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O0 -DFILE=%s
// RUN: %clang -O2 -g -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O2 -DFILE=%s
// RUN: %clang -O2 -fpass-plugin=%plugin -S -emit-llvm -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=NODEBUG -DFILE=%s
typedef __SIZE_TYPE__ size_t;
void *malloc(size_t);
void free(void *);

static void *alloc_buffer(size_t n) {
  return malloc(n * 2);
}
void *make(size_t n) { return alloc_buffer(n); }
void release(void *p) { free(p); }

// The plugin runs in clang's pipeline at -O0 and at -O2 (where a record
// describes the call after inlining), and warns without -g. The code is
// above the checks so that its line numbers stay put.

// NODEBUG: warning: tracemalloc: [[FILE]] has no debug information: tracebacks of its allocations will have no line numbers; compile it with -g or -gline-tables-only

// CHECK: [[FILE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [{{[0-9]+}} x i8] c"[[FILE]]\00", align 1
// At -O0 alloc_buffer keeps its call. At -O2 it is inlined into make, and
// the record of the call chains to the record of the call in make.
// O2: [[MAKE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [5 x i8] c"make\00", align 1
// O2: [[OUTER:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[MAKE_STR]], ptr null, i32 11, i32 31, i32 0, i32 1 }, align 8
// CHECK: [[ALLOC_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [13 x i8] c"alloc_buffer\00", align 1
// O0: [[SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[ALLOC_STR]], ptr null, i32 9, i32 10, i32 0, i32 1 }, align 8
// O2: [[SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[ALLOC_STR]], ptr [[OUTER]], i32 9, i32 10, i32 0, i32 2 }, align 8
// CHECK: [[RELEASE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [8 x i8] c"release\00", align 1
// CHECK: [[FREE_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[RELEASE_STR]], ptr null, i32 12, i32 25, i32 0, i32 1 }, align 8

// O2-LABEL: define dso_local noalias {{(noundef )?}}ptr @make(
// O2: tail call {{(noalias noundef )?}}ptr @__tm_malloc(i64 noundef %{{.*}}, ptr [[SITE]]) #{{[0-9]+}}, !dbg

// O0-LABEL: define internal ptr @alloc_buffer(
// O0: call ptr @__tm_malloc(i64 noundef %{{.*}}, ptr [[SITE]]){{( #[0-9]+)?}}, !dbg

// CHECK-LABEL: define dso_local void @release(
// CHECK: call void @__tm_free(ptr noundef %{{.*}}, ptr [[FREE_SITE]]), !dbg

// O2: declare noalias ptr @__tm_malloc(i64, ptr)
// CHECK: !tracemalloc.instrumented = !{}
