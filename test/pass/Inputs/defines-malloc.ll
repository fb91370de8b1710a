; A module that defines malloc implements an allocator: its calls of
; malloc are its internals, not allocations to trace. Checked from
; ../not-rewritten.ll.

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

@heap = internal global [1024 x i8] zeroinitializer

define ptr @malloc(i64 %n) {
  ret ptr @heap
}

define ptr @calloc(i64 %n, i64 %m) {
; CHECK-LABEL: define ptr @calloc(
; CHECK-NEXT: %p = call ptr @malloc(i64 %n)
  %p = call ptr @malloc(i64 %n)
  ret ptr %p
}

; free is only declared here: its calls are still rewritten.
define void @use(ptr %p) {
; CHECK-LABEL: define void @use(
; CHECK-NEXT: call ptr @calloc(i64 1, i64 2)
; CHECK-NEXT: call void @__tm_free(ptr %p, ptr @__tm_site
  call ptr @calloc(i64 1, i64 2)
  call void @free(ptr %p)
  ret void
}

declare void @free(ptr)
