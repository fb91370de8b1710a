; A frame with many calls that may allocate keeps d and d % CAP in stack
; slots (FunctionInstrumenter::spillFrame): stored once at the push, the
; index loaded by each site store, d loaded by each restore, d + 1 made
; from it after a call of a function that leaves the depth. Below the
; threshold, d stays a value.
; RUN: %opt -passes=tracemalloc -tracemalloc-spilled-frame-calls=3 -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

declare void @ext()

define internal void @leaves() {
  call void @ext()
  ret void
}

; CHECK-LABEL: define void @many(
; CHECK-NEXT: %tm.depth.slot = alloca i32
; CHECK-NEXT: %tm.index.slot = alloca i32
; CHECK: %tm.depth = load i32, ptr [[SHADOW:%tm.shadow|@__tm_shadow]]
; CHECK-NEXT: %tm.depth.inner = add i32 %tm.depth, 1
; CHECK-NEXT: store i32 %tm.depth.inner, ptr [[SHADOW]]
; CHECK-NEXT: store i32 %tm.depth, ptr %tm.depth.slot
; CHECK-NEXT: %tm.index = and i32 %tm.depth, 4095
; CHECK-NEXT: store i32 %tm.index, ptr %tm.index.slot
; CHECK: %[[I:tm\.index[0-9]+]] = load i32, ptr %tm.index.slot
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr [[SHADOW]], i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @ext()
; CHECK: call void @leaves()
; CHECK-NEXT: %[[D:tm\.depth\.spilled[0-9]*]] = load i32, ptr %tm.depth.slot
; CHECK-NEXT: %[[IN:tm\.depth\.inner\.spilled[0-9]*]] = add i32 %[[D]], 1
; CHECK-NEXT: store i32 %[[IN]], ptr [[SHADOW]]
; CHECK: call void @ext()
; CHECK-NEXT: %[[R:tm\.depth\.spilled[0-9]*]] = load i32, ptr %tm.depth.slot
; CHECK-NEXT: store i32 %[[R]], ptr [[SHADOW]]
; CHECK-NEXT: ret void
define void @many() {
  call void @ext()
  call void @leaves()
  call void @ext()
  ret void
}

; CHECK-LABEL: define void @few(
; CHECK-NOT: alloca
; CHECK: call void @ext()
; CHECK: call void @ext()
; CHECK-NEXT: store i32 %tm.depth, ptr
; CHECK-NEXT: ret void
define void @few() {
  call void @ext()
  call void @ext()
  ret void
}
