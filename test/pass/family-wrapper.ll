; The definitions of the allocator family functions the configuration
; names become wrappers around their original bodies (docs/architecture.md,
; "Allocator families"):
; the wrapper keeps the name, linkage, visibility, comdat and attributes,
; tells the runtime, and calls the body, which is now internal and is not
; instrumented (nothing it allocates is traced). Calls of family functions
; count as allocations, so their callers store their call site; the
; wrappers have no frame of their own.
; The input uses memory(...), which LLVM 14 does not parse.
; UNSUPPORTED: llvm-14
; RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family.tmconf %opt -passes=tracemalloc -S %s | FileCheck %s
; The same as a separate pass at the start of the pipeline.
; RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family.tmconf %opt -passes=tracemalloc-families,tracemalloc -S %s | FileCheck %s
; RUN: %opt -passes=tracemalloc -tracemalloc-config=%S/Inputs/family.tmconf -S %s | FileCheck %s
; Without a configuration nothing is wrapped.
; RUN: %opt -passes=tracemalloc -S %s | FileCheck --check-prefix=NONE %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

$fam_calloc = comdat any

; NONE-NOT: __tm_family
; NONE-NOT: .tm.body

; CHECK: @fam_ptr = global ptr @fam_malloc
@fam_ptr = global ptr @fam_malloc

define ptr @fam_malloc(i64 %size) #0 {
; CHECK-LABEL: define ptr @fam_malloc(
; CHECK-SAME: i64 %size) #[[WRAPPER:[0-9]+]] {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; Not tracing: the body, and nothing of the runtime.
; CHECK: tm.untraced:
; CHECK-NEXT: %tm.direct = call ptr @fam_malloc.tm.body(i64 %size)
; CHECK-NEXT: ret ptr %tm.direct
; CHECK: tm.traced:
; CHECK-NEXT: %tm.trace = call i32 @__tm_family_enter()
; CHECK-NEXT: %tm.result = call ptr @fam_malloc.tm.body(i64 %size)
; CHECK-NEXT: call void @__tm_family_alloc(i32 %tm.trace, i32 1, ptr %tm.result, i64 %size, ptr null)
; CHECK-NEXT: ret ptr %tm.result
; CHECK-NEXT: }
; The body is left alone: its malloc is not rewritten, it gets no frame.
; CHECK-LABEL: define internal ptr @fam_malloc.tm.body(
; CHECK-SAME: i64 %size) unnamed_addr #[[BODY:[0-9]+]] {
; CHECK-NEXT: %p = call ptr @malloc(i64 %size)
; CHECK-NEXT: call void @may_allocate()
; CHECK-NEXT: ret ptr %p
  %p = call ptr @malloc(i64 %size)
  call void @may_allocate()
  ret ptr %p
}

; linkonce_odr in a comdat: the body goes into the same comdat. The
; element count is an i32: widened for the runtime.
define linkonce_odr hidden noalias ptr @fam_calloc(i32 %n, i64 %size) comdat {
; CHECK-LABEL: define linkonce_odr hidden noalias ptr @fam_calloc(i32 %n, i64 %size) #{{[0-9]+}} comdat {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; CHECK: tm.traced:
; CHECK-NEXT: %tm.trace = call i32 @__tm_family_enter()
; CHECK-NEXT: %tm.result = call noalias ptr @fam_calloc.tm.body(i32 %n, i64 %size)
; CHECK-NEXT: %0 = zext i32 %n to i64
; CHECK-NEXT: call void @__tm_family_calloc(i32 %tm.trace, i32 2, ptr %tm.result, i64 %0, i64 %size, ptr null)
; CHECK-NEXT: ret ptr %tm.result
; CHECK-LABEL: define internal noalias ptr @fam_calloc.tm.body(i32 %n, i64 %size) unnamed_addr #{{[0-9]+}} comdat($fam_calloc) {
  %n64 = zext i32 %n to i64
  %p = call ptr @calloc(i64 %n64, i64 %size)
  ret ptr %p
}

; Internal, pointer second. The old trace is taken out first (into a
; state on the stack) and put back if the call fails.
define internal ptr @fam_realloc(i64 %size, ptr %old) {
; CHECK-LABEL: define internal ptr @fam_realloc(i64 %size, ptr %old) #{{[0-9]+}} {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.state = alloca [8 x i64], align 8
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; CHECK: tm.traced:
; CHECK-NEXT: %tm.trace = call i32 @__tm_family_enter()
; CHECK-NEXT: call void @__tm_family_realloc_begin(i32 %tm.trace, i32 3, ptr %tm.state, ptr %old)
; CHECK-NEXT: %tm.result = call ptr @fam_realloc.tm.body(i64 %size, ptr %old)
; CHECK-NEXT: call void @__tm_family_realloc_end(i32 %tm.trace, ptr %tm.state, ptr %old, i64 %size, ptr %tm.result, i32 0, ptr null)
; CHECK-NEXT: ret ptr %tm.result
  %p = call ptr @realloc(ptr %old, i64 %size)
  ret ptr %p
}

; zero_frees=1: a NULL result for size 0 means the block was freed.
define ptr @fam_realloc0(ptr %old, i64 %size) {
; CHECK-LABEL: define ptr @fam_realloc0(
; CHECK: call void @__tm_family_realloc_end(i32 %tm.trace, ptr %tm.state, ptr %old, i64 %size, ptr %tm.result, i32 1, ptr null)
  %p = call ptr @realloc(ptr %old, i64 %size)
  ret ptr %p
}

; Untracked before the body frees.
define void @fam_free(ptr %block) {
; CHECK-LABEL: define void @fam_free(
; CHECK-SAME: ptr %block) #[[FREE_WRAPPER:[0-9]+]] {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; CHECK: tm.traced:
; CHECK-NEXT: call void @__tm_family_free(i32 1, ptr %block)
; CHECK-NEXT: call void @fam_free.tm.body(ptr %block)
; CHECK-NEXT: call void @__tm_family_leave()
; CHECK-NEXT: ret void
  call void @free(ptr %block)
  ret void
}

; A leaf allocator (a bump pointer) calls nothing, yet its callers must
; store their site: the wrapper records with it.
@arena = internal global [4096 x i8] zeroinitializer
@arena.used = internal global i64 0

define ptr @leaf_alloc(i64 %size) memory(readwrite, argmem: none) speculatable {
; CHECK-LABEL: define ptr @leaf_alloc(
; CHECK-SAME: i64 %size) #[[LEAF_WRAPPER:[0-9]+]] {
; CHECK: call void @__tm_family_alloc(i32 %tm.trace, i32 4, ptr %tm.result, i64 %size, ptr null)
; CHECK-LABEL: define internal ptr @leaf_alloc.tm.body(
; CHECK-SAME: i64 %size) unnamed_addr #[[LEAF_BODY:[0-9]+]] {
  %used = load i64, ptr @arena.used
  %p = getelementptr i8, ptr @arena, i64 %used
  %next = add i64 %used, %size
  store i64 %next, ptr @arena.used
  ret ptr %p
}

; The callers: every call of a family function that allocates gets a site
; store, a free does not; declared family functions are not rewritten.
define void @caller(ptr %fp) {
; CHECK-LABEL: define void @caller(ptr %fp) {
; CHECK: %tm.depth = load i32, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[SITE:@__tm_site[.0-9]*]], ptr %[[S]]
; CHECK-NEXT: %a = call ptr @fam_malloc(i64 1)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[SITE]], ptr %[[S]]
; CHECK-NEXT: %b = call ptr @fam_calloc(i32 2, i64 3)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[SITE]], ptr %[[S]]
; CHECK-NEXT: %c = call ptr @fam_realloc(i64 4, ptr %a)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[SITE]], ptr %[[S]]
; CHECK-NEXT: %d = call ptr @leaf_alloc(i64 5)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[SITE]], ptr %[[S]]
; CHECK-NEXT: %e = call ptr @ext_alloc(i64 6)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[SITE]], ptr %[[S]]
; CHECK-NEXT: %f = call ptr %fp(i64 7)
; CHECK-NEXT: call void @fam_free(ptr %b)
; The frame ends before a last call that records nothing.
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: call void @ext_free(ptr %c)
; CHECK-NEXT: ret void
  %a = call ptr @fam_malloc(i64 1)
  %b = call ptr @fam_calloc(i32 2, i64 3)
  %c = call ptr @fam_realloc(i64 4, ptr %a)
  %d = call ptr @leaf_alloc(i64 5)
  %e = call ptr @ext_alloc(i64 6)
  %f = call ptr %fp(i64 7)
  call void @fam_free(ptr %b)
  call void @ext_free(ptr %c)
  ret void
}

; Only a free: nothing that records, no frame.
define void @frees_only(ptr %p) {
; CHECK-LABEL: define void @frees_only(ptr %p) {
; CHECK-NEXT: call void @fam_free(ptr %p)
; CHECK-NEXT: call void @ext_free(ptr %p)
; CHECK-NEXT: ret void
  call void @fam_free(ptr %p)
  call void @ext_free(ptr %p)
  ret void
}

declare ptr @ext_alloc(i64)
declare void @ext_free(ptr)
declare void @may_allocate()
declare ptr @malloc(i64)
declare ptr @calloc(i64, i64)
declare ptr @realloc(ptr, i64)
declare void @free(ptr)

attributes #0 = { nounwind "frame-pointer"="all" }

; The runtime functions do not throw.
; CHECK-DAG: declare i32 @__tm_family_enter() [[NOUNWIND:#[0-9]+]]
; CHECK-DAG: declare void @__tm_family_alloc(i32, i32, ptr, i64, ptr) [[NOUNWIND]]
; CHECK-DAG: declare void @__tm_family_calloc(i32, i32, ptr, i64, i64, ptr) [[NOUNWIND]]
; CHECK-DAG: declare void @__tm_family_realloc_begin(i32, i32, ptr, ptr) [[NOUNWIND]]
; CHECK-DAG: declare void @__tm_family_realloc_end(i32, ptr, ptr, i64, ptr, i32, ptr) [[NOUNWIND]]
; CHECK-DAG: declare void @__tm_family_free(i32, ptr) [[NOUNWIND]]
; CHECK-DAG: declare void @__tm_family_leave() [[NOUNWIND]]
; CHECK-DAG: attributes [[NOUNWIND]] = { nounwind }

; The wrappers keep the original attributes, and say what they are; the
; memory effects of a wrapper are not those of its body (which keeps them).
; CHECK-DAG: attributes #[[WRAPPER]] = { nounwind "frame-pointer"="all" "tracemalloc-family"="malloc" }
; CHECK-DAG: attributes #[[BODY]] = { nounwind "frame-pointer"="all" "tracemalloc-family-body" }
; CHECK-DAG: attributes #[[FREE_WRAPPER]] = { "tracemalloc-family"="free" }
; CHECK-DAG: attributes #[[LEAF_WRAPPER]] = { "tracemalloc-family"="malloc" }
; CHECK-DAG: attributes #[[LEAF_BODY]] = { speculatable memory(readwrite, argmem: none) "tracemalloc-family-body" }
