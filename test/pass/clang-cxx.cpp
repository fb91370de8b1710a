// RUN: %clangxx -O0 -g -fsized-deallocation -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O0 -DFILE=%s
// RUN: %clangxx -O2 -gline-tables-only -fsized-deallocation -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O2 -DFILE=%s
struct Widget {
  Widget();
  ~Widget();
  int x;
};

namespace ns {
template <class T> T *make() { return new T[4]; }
} // namespace ns

Widget *create() {
  return new Widget;
}
void destroy(Widget *w) { delete w; }
void arrays() { delete[] ns::make<int>(); }

// new and delete expressions through clang's pipeline, at -O0 and -O2: the
// operators are redirected, function names are demangled, and the records
// of an inline function in a comdat live in its comdat. The code is above
// the checks so that its line numbers stay put.

// CHECK: [[FILE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [{{[0-9]+}} x i8] c"[[FILE]]\00"
// -g names C++ functions by their demangled linkage name; -gline-tables-only
// has no linkage names, only the unqualified name.
// O0: [[CREATE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"create()\00"
// O2: [[CREATE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [7 x i8] c"create\00"
// create, destroy and arrays call functions that may allocate (the
// constructor, the destructor, make), so they have shadow-stack frames and
// their allocation sites carry TM_SITE_OWN_FRAME (flags 1); make has none.
// CHECK: [[NEW_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[CREATE_STR]], ptr null, i32 14, i32 10, i32 1, i32 1 }, align 8
// O0: [[DESTROY_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [17 x i8] c"destroy(Widget*)\00"
// O2: [[DESTROY_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [8 x i8] c"destroy\00"
// CHECK: [[DELETE_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[DESTROY_STR]], ptr null, i32 16, i32 27, i32 1, i32 1 }, align 8
// At -O2 arrays() is folded to nothing: new[] and delete[] of an unused
// array are removed before the pass runs.
// O0: [[ARRAYS_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr {{@__tm_str[.0-9]*}}, ptr null, i32 17, i32 17, i32 1, i32 1 }, align 8
// O0: [[MAKE_STR:@__tm_str[.0-9]*]] = private unnamed_addr constant [21 x i8] c"int* ns::make<int>()\00"
// O0: [[MAKE_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE_STR]], ptr [[MAKE_STR]], ptr null, i32 10, i32 39, i32 0, i32 1 }, comdat($_ZN2ns4makeIiEEPT_v), align 8

// The constructor may throw: the cleanup of its invoke calls operator
// delete, at the location of the new-expression, so with the same record.
// CHECK-LABEL: define {{.*}}@_Z6createv(
// O0: call noalias noundef nonnull ptr @__tm_new(i64 noundef 4, ptr [[NEW_SITE]]) #{{[0-9]+}}, !dbg !{{[0-9]+}}, !heapallocsite
// O2: tail call noalias noundef nonnull dereferenceable(4) ptr @__tm_new(i64 noundef 4, ptr [[NEW_SITE]])
// CHECK: invoke void @_ZN6WidgetC1Ev(
// O0: call void @__tm_delete_sized(ptr noundef %{{.*}}, i64 noundef 4, ptr [[NEW_SITE]])
// O2: call void @__tm_delete_sized(ptr noundef nonnull %{{.*}}, i64 noundef 4, ptr [[NEW_SITE]])

// CHECK-LABEL: define {{.*}}@_Z7destroyP6Widget(
// CHECK: call void @__tm_delete_sized(ptr noundef {{(nonnull )?}}%{{.*}}, i64 noundef 4, ptr [[DELETE_SITE]])

// CHECK-LABEL: define {{.*}}@_Z6arraysv(
// O0: call {{.*}}@_ZN2ns4makeIiEEPT_v()
// O0: call void @__tm_delete_array(ptr noundef %{{.*}}, ptr [[ARRAYS_SITE]])
// O2-NOT: __tm_
// O2: ret void

// O0-LABEL: define linkonce_odr {{.*}}@_ZN2ns4makeIiEEPT_v() {{.*}}comdat
// O0: call {{.*}}@__tm_new_array(i64 noundef 16, ptr [[MAKE_SITE]])

// CHECK-DAG: declare ptr @__tm_new(i64, ptr)
// CHECK-DAG: declare void @__tm_delete_sized(ptr, i64, ptr)
// O0-DAG: declare ptr @__tm_new_array(i64, ptr)
// O0-DAG: declare void @__tm_delete_array(ptr, ptr)
