; Where the shadow stack is defined, and how it is reached. Code for an
; executable (-fPIE, or no PIC level: -fno-pic) defines it itself, once per
; link (a comdat), and reaches it with local-exec TLS; the executable exports
; the definition, which the runtime and shared libraries then bind to. Code
; that may go into a shared library (-fPIC), and any code for a format other
; than ELF, declares it and uses initial-exec TLS, like the runtime's own
; definition.
; RUN: %opt -passes=tracemalloc -S %s | FileCheck --check-prefixes=CHECK,EXE %s
; RUN: sed -e 's/^;PIE: //' %s | %opt -passes=tracemalloc -S | FileCheck --check-prefixes=CHECK,EXE %s
; RUN: sed -e 's/^;PIC: //' %s | %opt -passes=tracemalloc -S | FileCheck --check-prefixes=CHECK,DSO %s
; RUN: sed -e 's/x86_64-unknown-linux-gnu/x86_64-apple-macosx13.0.0/' %s | %opt -passes=tracemalloc -S | FileCheck --check-prefixes=CHECK,DSO %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; EXE: $__tm_shadow = comdat any
; EXE: @__tm_shadow = linkonce_odr dso_local thread_local(localexec) global %tm.shadow_stack zeroinitializer, comdat{{$}}
; DSO-NOT: comdat
; DSO: @__tm_shadow = external thread_local(initialexec) global %tm.shadow_stack{{$}}

define void @caller() {
; CHECK-LABEL: define void @caller(
; CHECK: %tm.depth = load i32, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK: call void @ext()
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret void
  call void @ext()
  ret void
}

declare void @ext()

;PIE: !llvm.module.flags = !{!0, !1}
;PIC: !llvm.module.flags = !{!0}
!0 = !{i32 7, !"PIC Level", i32 2}
!1 = !{i32 7, !"PIE Level", i32 2}
