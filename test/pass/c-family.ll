; Every C allocation function is redirected to its __tm_ entry point, with
; the original arguments followed by the site record.
; The input uses allockind, which LLVM 14 does not parse.
; UNSUPPORTED: llvm-14
; RUN: %opt -passes=tracemalloc -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; CHECK: [[SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site

define void @f(ptr %s, ptr %pp) {
; CHECK-LABEL: define void @f(
; CHECK-NEXT: %m = call ptr @__tm_malloc(i64 1, ptr [[SITE]])
; CHECK-NEXT: %c = call ptr @__tm_calloc(i64 2, i64 3, ptr [[SITE]])
; CHECK-NEXT: %r = call ptr @__tm_realloc(ptr %m, i64 4, ptr [[SITE]])
; CHECK-NEXT: %ra = call ptr @__tm_reallocarray(ptr %c, i64 5, i64 6, ptr [[SITE]])
; CHECK-NEXT: call void @__tm_free(ptr %r, ptr [[SITE]])
; CHECK-NEXT: %aa = call ptr @__tm_aligned_alloc(i64 64, i64 128, ptr [[SITE]])
; CHECK-NEXT: %pm = call i32 @__tm_posix_memalign(ptr %pp, i64 32, i64 7, ptr [[SITE]])
; CHECK-NEXT: %ma = call ptr @__tm_memalign(i64 16, i64 8, ptr [[SITE]])
; CHECK-NEXT: %va = call ptr @__tm_valloc(i64 9, ptr [[SITE]])
; CHECK-NEXT: %pv = call ptr @__tm_pvalloc(i64 10, ptr [[SITE]])
; CHECK-NEXT: %sd = call ptr @__tm_strdup(ptr %s, ptr [[SITE]])
; CHECK-NEXT: %snd = call ptr @__tm_strndup(ptr %s, i64 11, ptr [[SITE]])
; CHECK-NEXT: ret void
  %m = call ptr @malloc(i64 1)
  %c = call ptr @calloc(i64 2, i64 3)
  %r = call ptr @realloc(ptr %m, i64 4)
  %ra = call ptr @reallocarray(ptr %c, i64 5, i64 6)
  call void @free(ptr %r)
  %aa = call ptr @aligned_alloc(i64 64, i64 128)
  %pm = call i32 @posix_memalign(ptr %pp, i64 32, i64 7)
  %ma = call ptr @memalign(i64 16, i64 8)
  %va = call ptr @valloc(i64 9)
  %pv = call ptr @pvalloc(i64 10)
  %sd = call ptr @strdup(ptr %s)
  %snd = call ptr @strndup(ptr %s, i64 11)
  ret void
}

; The originals stay declared (their uses are gone); the runtime functions
; take one more pointer and keep noalias and allocsize.
; CHECK-DAG: declare noalias ptr @__tm_malloc(i64, ptr) [[ALLOC0:#[0-9]+]]
; CHECK-DAG: declare noalias ptr @__tm_calloc(i64, i64, ptr) [[ALLOC01:#[0-9]+]]
; CHECK-DAG: declare noalias ptr @__tm_realloc(ptr, i64, ptr) [[ALLOC1:#[0-9]+]]
; CHECK-DAG: declare noalias ptr @__tm_reallocarray(ptr, i64, i64, ptr) [[ALLOC12:#[0-9]+]]
; CHECK-DAG: declare void @__tm_free(ptr, ptr) [[NOUNWIND:#[0-9]+]]
; CHECK-DAG: declare noalias ptr @__tm_aligned_alloc(i64, i64, ptr) [[ALLOC1]]
; CHECK-DAG: declare i32 @__tm_posix_memalign(ptr, i64, i64, ptr) [[NOUNWIND]]
; CHECK-DAG: declare noalias ptr @__tm_memalign(i64, i64, ptr) [[ALLOC1]]
; CHECK-DAG: declare noalias ptr @__tm_valloc(i64, ptr) [[ALLOC0]]
; CHECK-DAG: declare noalias ptr @__tm_pvalloc(i64, ptr) [[ALLOC0]]
; CHECK-DAG: declare noalias ptr @__tm_strdup(ptr, ptr) [[NOUNWIND]]
; CHECK-DAG: declare noalias ptr @__tm_strndup(ptr, i64, ptr) [[NOUNWIND]]

; CHECK-DAG: attributes [[ALLOC0]] = { nounwind allocsize(0) }
; CHECK-DAG: attributes [[ALLOC01]] = { nounwind allocsize(0,1) }
; CHECK-DAG: attributes [[ALLOC1]] = { nounwind allocsize(1) }
; CHECK-DAG: attributes [[ALLOC12]] = { nounwind allocsize(1,2) }
; CHECK-DAG: attributes [[NOUNWIND]] = { nounwind }

declare noalias ptr @malloc(i64) #0
declare noalias ptr @calloc(i64, i64) #1
declare noalias ptr @realloc(ptr, i64) #2
declare noalias ptr @reallocarray(ptr, i64, i64) #3
declare void @free(ptr) #4
declare noalias ptr @aligned_alloc(i64, i64) #2
declare i32 @posix_memalign(ptr, i64, i64) #4
declare noalias ptr @memalign(i64, i64) #2
declare noalias ptr @valloc(i64) #0
declare noalias ptr @pvalloc(i64) #0
declare noalias ptr @strdup(ptr) #4
declare noalias ptr @strndup(ptr, i64) #4

attributes #0 = { nounwind allocsize(0) allockind("alloc,uninitialized") "alloc-family"="malloc" }
attributes #1 = { nounwind allocsize(0,1) allockind("alloc,zeroed") "alloc-family"="malloc" }
attributes #2 = { nounwind allocsize(1) allockind("realloc") "alloc-family"="malloc" }
attributes #3 = { nounwind allocsize(1,2) allockind("realloc") "alloc-family"="malloc" }
attributes #4 = { nounwind }
