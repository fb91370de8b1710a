; The C++ operators new, new[], delete and delete[] in all their forms
; (sized, aligned, nothrow) are redirected; an invoke stays an invoke with
; the same normal and unwind destinations.
; RUN: %opt -passes=tracemalloc -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

@_ZSt7nothrow = external global i8

; One record per function (no debug information here), all printed first.
; CHECK: [[SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site
; CHECK: [[DSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site
; CHECK: [[ISITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site
define void @news() {
; CHECK-LABEL: define void @news()
; CHECK-NEXT: %a = call ptr @__tm_new(i64 1, ptr [[SITE]])
; CHECK-NEXT: %b = call ptr @__tm_new_array(i64 2, ptr [[SITE]])
; CHECK-NEXT: %c = call ptr @__tm_new_nothrow(i64 3, ptr @_ZSt7nothrow, ptr [[SITE]])
; CHECK-NEXT: %d = call ptr @__tm_new_array_nothrow(i64 4, ptr @_ZSt7nothrow, ptr [[SITE]])
; CHECK-NEXT: %e = call ptr @__tm_new_aligned(i64 5, i64 64, ptr [[SITE]])
; CHECK-NEXT: %f = call ptr @__tm_new_array_aligned(i64 6, i64 64, ptr [[SITE]])
; CHECK-NEXT: %g = call ptr @__tm_new_aligned_nothrow(i64 7, i64 64, ptr @_ZSt7nothrow, ptr [[SITE]])
; CHECK-NEXT: %h = call ptr @__tm_new_array_aligned_nothrow(i64 8, i64 64, ptr @_ZSt7nothrow, ptr [[SITE]])
  %a = call ptr @_Znwm(i64 1)
  %b = call ptr @_Znam(i64 2)
  %c = call ptr @_ZnwmRKSt9nothrow_t(i64 3, ptr @_ZSt7nothrow)
  %d = call ptr @_ZnamRKSt9nothrow_t(i64 4, ptr @_ZSt7nothrow)
  %e = call ptr @_ZnwmSt11align_val_t(i64 5, i64 64)
  %f = call ptr @_ZnamSt11align_val_t(i64 6, i64 64)
  %g = call ptr @_ZnwmSt11align_val_tRKSt9nothrow_t(i64 7, i64 64, ptr @_ZSt7nothrow)
  %h = call ptr @_ZnamSt11align_val_tRKSt9nothrow_t(i64 8, i64 64, ptr @_ZSt7nothrow)
  ret void
}

define void @deletes(ptr %p) {
; CHECK-LABEL: define void @deletes(
; CHECK-NEXT: call void @__tm_delete(ptr %p, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_array(ptr %p, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_sized(ptr %p, i64 1, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_array_sized(ptr %p, i64 2, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_aligned(ptr %p, i64 64, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_array_aligned(ptr %p, i64 64, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_sized_aligned(ptr %p, i64 3, i64 64, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_array_sized_aligned(ptr %p, i64 4, i64 64, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_nothrow(ptr %p, ptr @_ZSt7nothrow, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_array_nothrow(ptr %p, ptr @_ZSt7nothrow, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_aligned_nothrow(ptr %p, i64 64, ptr @_ZSt7nothrow, ptr [[DSITE]])
; CHECK-NEXT: call void @__tm_delete_array_aligned_nothrow(ptr %p, i64 64, ptr @_ZSt7nothrow, ptr [[DSITE]])
  call void @_ZdlPv(ptr %p)
  call void @_ZdaPv(ptr %p)
  call void @_ZdlPvm(ptr %p, i64 1)
  call void @_ZdaPvm(ptr %p, i64 2)
  call void @_ZdlPvSt11align_val_t(ptr %p, i64 64)
  call void @_ZdaPvSt11align_val_t(ptr %p, i64 64)
  call void @_ZdlPvmSt11align_val_t(ptr %p, i64 3, i64 64)
  call void @_ZdaPvmSt11align_val_t(ptr %p, i64 4, i64 64)
  call void @_ZdlPvRKSt9nothrow_t(ptr %p, ptr @_ZSt7nothrow)
  call void @_ZdaPvRKSt9nothrow_t(ptr %p, ptr @_ZSt7nothrow)
  call void @_ZdlPvSt11align_val_tRKSt9nothrow_t(ptr %p, i64 64, ptr @_ZSt7nothrow)
  call void @_ZdaPvSt11align_val_tRKSt9nothrow_t(ptr %p, i64 64, ptr @_ZSt7nothrow)
  ret void
}

define ptr @invokes() personality ptr @__gxx_personality_v0 {
; CHECK-LABEL: define ptr @invokes()
; CHECK-NEXT: entry:
; CHECK-NEXT: %p = invoke noalias noundef nonnull ptr @__tm_new(i64 16, ptr [[ISITE]]) [[CALLATTRS:#[0-9]+]]
; CHECK-NEXT: to label %cont unwind label %lpad
; CHECK: cont:
; CHECK-NEXT: %r = phi ptr [ %p, %entry ]
; CHECK-NEXT: ret ptr %r
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad { ptr, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: resume
entry:
  %p = invoke noalias noundef nonnull ptr @_Znwm(i64 16) #1
          to label %cont unwind label %lpad
cont:
  %r = phi ptr [ %p, %entry ]
  ret ptr %r
lpad:
  %lp = landingpad { ptr, i32 }
          cleanup
  resume { ptr, i32 } %lp
}

; operator new may throw: the runtime function does not get nounwind. The
; `builtin` of the new-expression is dropped from the call, other attributes stay.
; CHECK-DAG: declare ptr @__tm_new(i64, ptr) [[NEWATTRS:#[0-9]+]]
; CHECK-DAG: declare void @__tm_delete(ptr, ptr) [[DELATTRS:#[0-9]+]]
; CHECK-DAG: attributes [[NEWATTRS]] = { allocsize(0) }
; CHECK-DAG: attributes [[DELATTRS]] = { nounwind }
; CHECK-DAG: attributes [[CALLATTRS]] = { allocsize(0) "kept"="yes" }

declare ptr @_Znwm(i64) #0
declare ptr @_Znam(i64) #0
declare ptr @_ZnwmRKSt9nothrow_t(i64, ptr) #2
declare ptr @_ZnamRKSt9nothrow_t(i64, ptr) #2
declare ptr @_ZnwmSt11align_val_t(i64, i64) #0
declare ptr @_ZnamSt11align_val_t(i64, i64) #0
declare ptr @_ZnwmSt11align_val_tRKSt9nothrow_t(i64, i64, ptr) #2
declare ptr @_ZnamSt11align_val_tRKSt9nothrow_t(i64, i64, ptr) #2
declare void @_ZdlPv(ptr) #3
declare void @_ZdaPv(ptr) #3
declare void @_ZdlPvm(ptr, i64) #3
declare void @_ZdaPvm(ptr, i64) #3
declare void @_ZdlPvSt11align_val_t(ptr, i64) #3
declare void @_ZdaPvSt11align_val_t(ptr, i64) #3
declare void @_ZdlPvmSt11align_val_t(ptr, i64, i64) #3
declare void @_ZdaPvmSt11align_val_t(ptr, i64, i64) #3
declare void @_ZdlPvRKSt9nothrow_t(ptr, ptr) #3
declare void @_ZdaPvRKSt9nothrow_t(ptr, ptr) #3
declare void @_ZdlPvSt11align_val_tRKSt9nothrow_t(ptr, i64, ptr) #3
declare void @_ZdaPvSt11align_val_tRKSt9nothrow_t(ptr, i64, ptr) #3
declare i32 @__gxx_personality_v0(...)

attributes #0 = { nobuiltin allocsize(0) }
attributes #1 = { builtin allocsize(0) "kept"="yes" }
attributes #2 = { nobuiltin nounwind allocsize(0) }
attributes #3 = { nobuiltin nounwind }
