; A module is instrumented once: the pass marks it, and a second run (as
; after LTO linking) leaves it alone.
; RUN: %opt -passes=tracemalloc,tracemalloc -S %s | FileCheck %s
; RUN: %opt -passes=tracemalloc -S %s | %opt -passes=tracemalloc -S | FileCheck %s
; The mark survives bitcode.
; RUN: %opt -passes=tracemalloc %s -o %t.bc
; RUN: %opt -passes=tracemalloc -S %t.bc | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; CHECK: @__tm_site = private unnamed_addr constant %tm.site
; CHECK-NOT: @__tm_site

define void @f(ptr %p) !dbg !10 {
; CHECK-LABEL: define void @f(
; CHECK-NEXT: call void @__tm_free(ptr %p, ptr @__tm_site), !dbg
; CHECK-NEXT: ret void
  call void @free(ptr %p), !dbg !11
  ret void
}

; CHECK: declare void @__tm_free(ptr, ptr)
; CHECK-NOT: declare {{.*}}@__tm_
; CHECK: !tracemalloc.instrumented = !{}
; CHECK-NOT: !tracemalloc.instrumented

declare void @free(ptr)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "clang", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "idem.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !{})
!10 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 1, type: !3, spFlags: DISPFlagDefinition, unit: !0)
!11 = !DILocation(line: 2, column: 3, scope: !10)
