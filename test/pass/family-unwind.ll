; A family function that may throw: the wrapper calls its body through an
; invoke whose cleanup ends the call in the runtime (with a null result:
; the reentrancy count goes down, a realloc's old trace is put back) and
; resumes. The personality is the function's own, else the C++ one if the
; module has it; a function that cannot throw (nounwind), or a module
; without a personality, gets a plain call.
; RUN: printf 'malloc xnew size=0 domain=7\nrealloc xrealloc ptr=0 size=1 domain=7\nfree xfree ptr=0 domain=7\nmalloc cnew size=0 domain=7\n' > %t.conf
; RUN: env TRACEMALLOC_CONFIG=%t.conf %opt -passes=tracemalloc -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define ptr @xnew(i64 %size) personality ptr @__gxx_personality_v0 {
; CHECK-LABEL: define ptr @xnew(i64 %size) #{{[0-9]+}} personality ptr @__gxx_personality_v0 {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; CHECK: tm.traced:
; CHECK-NEXT: %tm.trace = call i32 @__tm_family_enter()
; CHECK-NEXT: %tm.result = invoke ptr @xnew.tm.body(i64 %size)
; CHECK-NEXT: to label %tm.cont unwind label %tm.cleanup
; CHECK: tm.cont:
; CHECK-NEXT: call void @__tm_family_alloc(i32 %tm.trace, i32 7, ptr %tm.result, i64 %size, ptr null)
; CHECK-NEXT: ret ptr %tm.result
; CHECK: tm.cleanup:
; CHECK-NEXT: %tm.lpad = landingpad { ptr, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: call void @__tm_family_alloc(i32 %tm.trace, i32 7, ptr null, i64 %size, ptr null)
; CHECK-NEXT: resume { ptr, i32 } %tm.lpad
; CHECK-LABEL: define internal ptr @xnew.tm.body(i64 %size) unnamed_addr #{{[0-9]+}} personality ptr @__gxx_personality_v0 {
  %p = invoke ptr @_Znwm(i64 %size) to label %ok unwind label %lp
ok:
  ret ptr %p
lp:
  %l = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %l
}

; No personality of its own: the module's C++ one.
define ptr @xrealloc(ptr %old, i64 %size) {
; CHECK-LABEL: define ptr @xrealloc(ptr %old, i64 %size) #{{[0-9]+}} personality ptr @__gxx_personality_v0 {
; CHECK: %tm.result = invoke ptr @xrealloc.tm.body(ptr %old, i64 %size)
; CHECK: tm.cont:
; CHECK-NEXT: call void @__tm_family_realloc_end(i32 %tm.trace, ptr %tm.state, ptr %old, i64 %size, ptr %tm.result, i32 0, ptr null)
; CHECK: tm.cleanup:
; CHECK-NEXT: %tm.lpad = landingpad { ptr, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: call void @__tm_family_realloc_end(i32 %tm.trace, ptr %tm.state, ptr %old, i64 %size, ptr null, i32 0, ptr null)
; CHECK-NEXT: resume
; CHECK-LABEL: define internal ptr @xrealloc.tm.body(
  %p = call ptr @may_throw(ptr %old, i64 %size)
  ret ptr %p
}

define void @xfree(ptr %p) {
; CHECK-LABEL: define void @xfree(ptr %p) #{{[0-9]+}} personality ptr @__gxx_personality_v0 {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; CHECK: tm.traced:
; CHECK-NEXT: call void @__tm_family_free(i32 7, ptr %p)
; CHECK-NEXT: invoke void @xfree.tm.body(ptr %p)
; CHECK: tm.cont:
; CHECK-NEXT: call void @__tm_family_leave()
; CHECK-NEXT: ret void
; CHECK: tm.cleanup:
; CHECK: call void @__tm_family_leave()
; CHECK-NEXT: resume
  call void @_ZdlPv(ptr %p)
  ret void
}

; nounwind: a plain call, no personality.
define ptr @cnew(i64 %size) nounwind personality ptr @__gxx_personality_v0 {
; CHECK-LABEL: define ptr @cnew(i64 %size) #{{[0-9]+}} {
; CHECK-NEXT: entry:
; CHECK-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4
; CHECK-NEXT: %tm.off = icmp eq i32 %tm.on, 0
; CHECK-NEXT: br i1 %tm.off, label %tm.untraced, label %tm.traced
; CHECK: tm.traced:
; CHECK-NEXT: %tm.trace = call i32 @__tm_family_enter()
; CHECK-NEXT: %tm.result = call ptr @cnew.tm.body(i64 %size)
; CHECK-LABEL: define internal ptr @cnew.tm.body(i64 %size) unnamed_addr #{{[0-9]+}} personality ptr @__gxx_personality_v0 {
  %p = call ptr @malloc(i64 %size)
  ret ptr %p
}

declare i32 @__gxx_personality_v0(...)
declare ptr @_Znwm(i64)
declare void @_ZdlPv(ptr)
declare ptr @may_throw(ptr, i64)
declare ptr @malloc(i64)
