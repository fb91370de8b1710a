; Which calls may reach an allocation, over the module's call graph: only
; functions that may need a frame, and only calls that may need a site
; store. Code that cannot allocate (recursive arithmetic, calls of functions
; known not to allocate) pays nothing.
; The input uses memory(...), which LLVM 14 does not parse.
; UNSUPPORTED: llvm-14
; RUN: %opt -passes=tracemalloc -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

%struct.pt = type { i32, i32 }

; Recursion alone allocates nothing: no frame, no stores.
define i32 @fib(i32 %n) {
; CHECK-LABEL: define i32 @fib(
; CHECK-NOT: __tm_
; CHECK: ret i32
entry:
  %small = icmp slt i32 %n, 2
  br i1 %small, label %done, label %rec
rec:
  %a = sub i32 %n, 1
  %fa = call i32 @fib(i32 %a)
  %b = sub i32 %n, 2
  %fb = call i32 @fib(i32 %b)
  %s = add i32 %fa, %fb
  ret i32 %s
done:
  ret i32 %n
}

; A loop of arithmetic calling helpers that cannot allocate: the C library
; functions of the list (no attributes, as at -O0), declarations that only
; read memory or touch their arguments, a call site that says memory(none),
; __tm_* functions, deallocation.
define i32 @loop(ptr %v, i32 %n, ptr %s) {
; CHECK-LABEL: define i32 @loop(
; CHECK-NOT: __tm_shadow
; CHECK-NOT: store ptr
; CHECK: ret i32
entry:
  br label %body
body:
  %i = phi i32 [ 0, %entry ], [ %next, %body ]
  %acc = phi i32 [ 0, %entry ], [ %sum, %body ]
  %f = call i32 @fib(i32 %i)
  %d = call i32 @dist(ptr %v, i32 %i)
  %l = call i64 @strlen(ptr %s)
  %e = call ptr @__errno_location()
  %r = call i32 @reads(ptr %s)
  %w = call i32 @argmem(ptr %s)
  %u = call i32 @unknown(ptr %s) memory(none)
  call void @__tm_helper()
  call void @only_frees(ptr %s)
  %x = call double @sqrt(double 2.0)
  %t = add i32 %f, %d
  %sum = add i32 %acc, %t
  %next = add i32 %i, 1
  %c = icmp slt i32 %next, %n
  br i1 %c, label %body, label %exit
exit:
  ret i32 %sum
}

define i32 @dist(ptr %v, i32 %i) {
  %p = getelementptr %struct.pt, ptr %v, i32 %i
  %x = load i32, ptr %p
  %a = call i32 @abs(i32 %x)
  ret i32 %a
}

; Frees record no traceback: no frame needed to reach one.
define void @only_frees(ptr %p) {
; CHECK-LABEL: define void @only_frees(
; CHECK-NEXT: call void @__tm_free(ptr %p, ptr @__tm_site
; CHECK-NEXT: ret void
  call void @free(ptr %p)
  ret void
}

; Mutual recursion where one function allocates: the whole SCC may
; allocate. @even calls @odd (store); @odd calls @even (store) and malloc.
define ptr @even(i32 %n) {
; CHECK-LABEL: define ptr @even(
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %r = call ptr @odd(i32 %m)
  %m = sub i32 %n, 1
  %r = call ptr @odd(i32 %m)
  ret ptr %r
}

define ptr @odd(i32 %n) {
; CHECK-LABEL: define ptr @odd(
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %r = call ptr @even(i32 %m)
; CHECK: %p = call ptr @__tm_malloc(i64 1, ptr @__tm_site{{[.0-9]*}})
  %z = icmp eq i32 %n, 0
  br i1 %z, label %base, label %rec
rec:
  %m = sub i32 %n, 1
  %r = call ptr @even(i32 %m)
  ret ptr %r
base:
  %p = call ptr @malloc(i64 1)
  ret ptr %p
}

; Calls that may allocate: indirect, an unknown declaration, a function that
; allocates through another, an interposable (weak) definition whatever its
; body, a naked function (inline asm may call anything).
define void @may(ptr %fp) {
; CHECK-LABEL: define void @may(
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void %fp()
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %u = call i32 @unknown(ptr null)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %e = call ptr @even(i32 3)
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @weak_nothing()
; CHECK-NEXT: call void @odr_nothing()
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @naked()
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @nosan()
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: ret void
  call void %fp()
  %u = call i32 @unknown(ptr null)
  %e = call ptr @even(i32 3)
  call void @weak_nothing()
  call void @odr_nothing()
  call void @naked()
  call void @nosan()
  ret void
}

define weak void @weak_nothing() {
  ret void
}

; The linker may pick another copy, but with the same meaning (ODR).
define linkonce_odr void @odr_nothing() {
  ret void
}

; Not instrumented (no frame, no rewrite) but analyzed: its callers store.
define void @nosan() disable_sanitizer_instrumentation {
; CHECK-LABEL: define void @nosan()
; CHECK-NEXT: call void @unknown_void()
; CHECK-NEXT: ret void
  call void @unknown_void()
  ret void
}

define void @naked() naked {
; CHECK-LABEL: define void @naked()
; CHECK-NEXT: call void asm sideeffect "jmp unknown_void", ""()
; CHECK-NEXT: unreachable
  call void asm sideeffect "jmp unknown_void", ""()
  unreachable
}

define void @__tm_helper() {
; CHECK-LABEL: define void @__tm_helper()
; CHECK-NEXT: call void @unknown_void()
; CHECK-NEXT: ret void
  call void @unknown_void()
  ret void
}

declare i32 @unknown(ptr)
declare void @unknown_void()
declare i32 @reads(ptr) memory(read)
declare i32 @argmem(ptr) memory(argmem: readwrite)
declare i64 @strlen(ptr)
declare ptr @__errno_location()
declare i32 @abs(i32)
declare double @sqrt(double)
declare ptr @malloc(i64)
declare void @free(ptr)
