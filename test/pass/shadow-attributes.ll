; Memory effects the shadow stack contradicts are dropped, as the sanitizers
; do: from functions that may allocate (the runtime reads the shadow stack
; for them, and those with a frame write it) and from their calls, so LLVM
; can neither remove nor move the shadow-stack stores or the calls. Functions
; that cannot allocate keep theirs.
; The input uses memory(...), which LLVM 14 does not parse.
; UNSUPPORTED: llvm-14
; RUN: %opt -passes=tracemalloc -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; A frame, inferred (now wrong) memory effects.
; CHECK: define void @framed() [[FRAMED:#[0-9]+]] {
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @opaque() [[OPAQUE_CALL:#[0-9]+]]
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %p = call ptr @leaf() [[LEAF_CALL:#[0-9]+]]
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: %f = call i32 @fib(i32 3) [[FIB_CALL:#[0-9]+]]
define void @framed() #0 {
  call void @opaque() #1
  %p = call ptr @leaf() #5
  %f = call i32 @fib(i32 3) #4
  ret void
}

; No frame, but it allocates: the runtime reads the caller's slot.
; CHECK: define ptr @leaf() [[LEAF:#[0-9]+]] {
define ptr @leaf() #6 {
  %p = call ptr @malloc(i64 1)
  ret ptr %p
}

; Cannot allocate: keeps everything.
; CHECK: define i32 @fib(i32 %n) [[FIB:#[0-9]+]] {
define i32 @fib(i32 %n) #2 {
  %small = icmp slt i32 %n, 2
  br i1 %small, label %done, label %rec
rec:
  %a = sub i32 %n, 1
  %fa = call i32 @fib(i32 %a) #4
  %b = sub i32 %n, 2
  %fb = call i32 @fib(i32 %b) #4
  %s = add i32 %fa, %fb
  ret i32 %s
done:
  ret i32 %n
}

; CHECK: declare void @opaque() [[OPAQUE:#[0-9]+]]
declare void @opaque() #3
declare ptr @malloc(i64)

; CHECK-DAG: attributes [[FRAMED]] = { nofree nosync nounwind "id"="framed" }
; CHECK-DAG: attributes [[OPAQUE_CALL]] = { nounwind "id"="opaque call" }
; CHECK-DAG: attributes [[LEAF_CALL]] = { nounwind "id"="leaf call" }
; CHECK-DAG: attributes [[LEAF]] = { nounwind "id"="leaf" }
; CHECK-DAG: attributes [[FIB]] = { nofree nosync nounwind speculatable memory(none) "id"="fib" }
; CHECK-DAG: attributes [[FIB_CALL]] = { memory(none) "id"="fib call" }
; CHECK-DAG: attributes [[OPAQUE]] = { nounwind "id"="opaque" }

attributes #0 = { nofree nosync nounwind memory(inaccessiblemem: readwrite) "id"="framed" }
attributes #1 = { nounwind memory(inaccessiblemem: readwrite) "id"="opaque call" }
attributes #2 = { nofree nosync nounwind speculatable memory(none) "id"="fib" }
attributes #3 = { nounwind speculatable memory(inaccessiblemem: readwrite) "id"="opaque" }
attributes #4 = { memory(none) "id"="fib call" }
attributes #5 = { nounwind memory(read) "id"="leaf call" }
attributes #6 = { nounwind memory(inaccessiblemem: readwrite) "id"="leaf" }
