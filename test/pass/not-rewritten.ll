; What the pass leaves alone.
; RUN: %opt -passes=tracemalloc -S %s 2>/dev/null | FileCheck %s
; RUN: %opt -passes=tracemalloc -S %s 2>/dev/null | FileCheck %s --check-prefix=NOREWRITE
; RUN: %opt -passes=tracemalloc -S %S/Inputs/defines-malloc.ll 2>/dev/null | FileCheck %S/Inputs/defines-malloc.ll

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; No call is redirected to the runtime. (The calls below are calls of
; unknown functions, which may allocate: the functions that are instrumented
; keep a shadow-stack frame and store call sites, see shadow-*.ll.)
; NOREWRITE-NOT: call [^@]*@__tm_

; A `free` or `strdup` that is not the C library's (wrong prototype) is an
; unrelated function that happens to have the name.
define i32 @wrong_prototype(i32 %x, ptr %s) {
; CHECK-LABEL: define i32 @wrong_prototype(
; CHECK: %r = call i32 @free(i32 %x)
; CHECK: %m = call ptr @malloc(i32 %x)
; CHECK: %d = call ptr @strdup(ptr %s, i64 1)
; CHECK: %p = call ptr @_Znwm(i32 %x)
; CHECK: ret i32 %r
  %r = call i32 @free(i32 %x)
  %m = call ptr @malloc(i32 %x)
  %d = call ptr @strdup(ptr %s, i64 1)
  %p = call ptr @_Znwm(i32 %x)
  ret i32 %r
}

; Indirect calls are not rewritten (the runtime's interposition sees them).
define void @indirect(ptr %fp) {
; CHECK-LABEL: define void @indirect(
; CHECK: call void %fp(ptr null)
  call void %fp(ptr null)
  ret void
}

; The runtime itself, naked functions, available_externally functions and
; functions with disable_sanitizer_instrumentation are not instrumented.
define void @__tm_helper(ptr %p) {
; CHECK-LABEL: define void @__tm_helper(
; CHECK-NEXT: call void @_ZdlPv(ptr %p)
  call void @_ZdlPv(ptr %p)
  ret void
}

define void @naked() naked {
; CHECK-LABEL: define void @naked(
; CHECK-NEXT: call void @_ZdlPv(ptr null)
  call void @_ZdlPv(ptr null)
  unreachable
}

define available_externally void @avail(ptr %p) {
; CHECK-LABEL: define available_externally void @avail(
; CHECK-NEXT: call void @_ZdlPv(ptr %p)
  call void @_ZdlPv(ptr %p)
  ret void
}

define void @nosan(ptr %p) disable_sanitizer_instrumentation {
; CHECK-LABEL: define void @nosan(
; CHECK-NEXT: call void @_ZdlPv(ptr %p)
  call void @_ZdlPv(ptr %p)
  ret void
}

; CHECK-NOT: declare {{.*}}@__tm_

declare i32 @free(i32)
declare ptr @malloc(i32)
declare ptr @strdup(ptr, i64)
declare ptr @_Znwm(i32)
declare void @_ZdlPv(ptr)
