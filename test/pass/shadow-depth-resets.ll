; Frames that leave the depth to their callers (DepthResets): an internal
; function that only this module's frames can call, directly or through a
; table only read to call through, has no restore before its rets; each of
; its callers stores its own d + 1 back after calling it (not when the call
; is in tail position), and so does every indirect call of a module with
; such a table. Functions other code may call restore: external ones, one
; whose address is passed on, one in a table that is also written, one a
; caller calls without a site store (musttail); and the restore before a
; musttail call stays.
; RUN: %opt -passes=tracemalloc,verify -S %s | FileCheck %s
; RUN: %opt -passes=tracemalloc -tracemalloc-elide-tail-frames -S %s | FileCheck %s --check-prefix=ELIDE

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

@table = internal global [2 x ptr] [ptr @by_table, ptr @by_table]
@written = internal global [1 x ptr] [ptr @in_written_table]

declare void @ext()
declare void @take(ptr)

; CHECK-LABEL: define internal void @leaf(
; CHECK: %tm.depth = load i32
; CHECK: call void @ext()
; CHECK-NEXT: ret void
define internal void @leaf() {
  call void @ext()
  ret void
}

; A call in tail position of a function that leaves the depth: nothing
; after it.
; CHECK-LABEL: define internal void @forward(
; CHECK: tail call void @leaf()
; CHECK-NEXT: ret void
define internal void @forward() {
  tail call void @leaf()
  ret void
}

; An external caller: d + 1 back after each call of a leaving function but
; the last, whose ret restores d.
; CHECK-LABEL: define void @outer(
; CHECK: %tm.depth.inner = add i32 %tm.depth, 1
; CHECK: call void @forward()
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK: call void @ext()
; CHECK-NEXT: %tm.index
; CHECK: call void @leaf()
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: ret void
define void @outer() {
  call void @forward()
  call void @ext()
  call void @leaf()
  ret void
}

; Reached through @table only: leaves the depth.
; CHECK-LABEL: define internal void @by_table(
; CHECK: call void @ext()
; CHECK-NEXT: ret void
define internal void @by_table() {
  call void @ext()
  ret void
}

; An indirect call in a module with a call table: d + 1 back after it,
; unless it is in tail position.
; CHECK-LABEL: define void @dispatch(
; CHECK: %f = load ptr, ptr %slot
; CHECK: call void %f()
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK: tail call void %f()
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: ret void
define void @dispatch(i64 %i) {
  %slot = getelementptr [2 x ptr], ptr @table, i64 0, i64 %i
  %f = load ptr, ptr %slot
  call void %f()
  tail call void %f()
  ret void
}

; Its table is also written: it restores.
; CHECK-LABEL: define internal void @in_written_table(
; CHECK: call void @ext()
; CHECK-NEXT: store i32 %tm.depth,
; CHECK-NEXT: ret void
define internal void @in_written_table() {
  call void @ext()
  ret void
}

define void @use_written(ptr %p) {
  store ptr %p, ptr @written
  %f = load ptr, ptr @written
  call void %f()
  ret void
}

; Its address is passed on: it restores.
; CHECK-LABEL: define internal void @escapes(
; CHECK: call void @ext()
; CHECK-NEXT: store i32 %tm.depth,
; CHECK-NEXT: ret void
define internal void @escapes() {
  call void @ext()
  ret void
}

define void @pass_on() {
  call void @take(ptr @escapes)
  ret void
}

; Called by a musttail call, which gets no site store: it restores.
; CHECK-LABEL: define internal void @musttail_callee(
; CHECK: call void @ext()
; CHECK-NEXT: store i32 %tm.depth,
; CHECK-NEXT: ret void
define internal void @musttail_callee() {
  call void @ext()
  ret void
}

; Leaves the depth, but restores it before its musttail call: the callee
; takes its frame's place.
; CHECK-LABEL: define internal void @musttail_caller(
; CHECK: call void @ext()
; CHECK-NEXT: store i32 %tm.depth,
; CHECK-NEXT: musttail call void @musttail_callee()
; CHECK-NEXT: ret void
define internal void @musttail_caller() {
  call void @ext()
  musttail call void @musttail_callee()
  ret void
}

define void @call_musttail_caller() {
  call void @musttail_caller()
  ret void
}

; With tail frames elided, forwarding calls set nothing back: no function
; leaves the depth, and no call is followed by a store.
; ELIDE-LABEL: define void @outer(
; ELIDE: call void @forward()
; ELIDE-NEXT: %tm.index
; ELIDE: call void @ext()
; ELIDE-NEXT: store i32 %tm.depth,
; ELIDE-NEXT: call void @leaf()
; ELIDE-NEXT: ret void
; ELIDE-LABEL: define internal void @musttail_caller(
; ELIDE: call void @ext()
; ELIDE-NEXT: store i32 %tm.depth,
; ELIDE-NEXT: musttail call void @musttail_callee()
