; The plugin adds the pass last in the full LTO pipeline (LLVM 14 has no
; extension point there: its modules are instrumented before LTO linking).
; UNSUPPORTED: llvm-14
; RUN: %opt -passes='lto<O2>' -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; CHECK: @__tm_site = private unnamed_addr constant %tm.site { ptr @__tm_str, ptr @__tm_str.1, ptr null, i32 2, i32 10, i32 0, i32 1 }, align 8
; CHECK: define {{.*}}ptr @f(i64 {{.*}}%n)
; CHECK: call {{.*}}ptr @__tm_malloc(i64 {{.*}}%n, ptr @__tm_site)
define ptr @f(i64 %n) !dbg !10 {
  %p = call ptr @malloc(i64 %n), !dbg !11
  ret ptr %p
}

declare ptr @malloc(i64)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "clang", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "p.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !{})
!10 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 1, type: !3, spFlags: DISPFlagDefinition, unit: !0)
!11 = !DILocation(line: 2, column: 10, scope: !10)
