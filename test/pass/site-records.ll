; Site record contents: absolute file names, source function names, line and
; column, and the linked records of an inlinedAt chain.
; RUN: %opt -passes=tracemalloc -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

$_Z4linkv = comdat any

; CHECK: %tm.site = type { ptr, ptr, ptr, i32, i32, i32, i32 }

; A direct call in outer (file "src/../lib/a.c" in directory "/build/x").
; CHECK: [[AFILE:@__tm_str[.0-9]*]] = private unnamed_addr constant [17 x i8] c"/build/x/lib/a.c\00", align 1
; CHECK: [[OUTER:@__tm_str[.0-9]*]] = private unnamed_addr constant [6 x i8] c"outer\00", align 1
; CHECK: [[DIRECT:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[AFILE]], ptr [[OUTER]], ptr null, i32 5, i32 7, i32 0, i32 1 }, align 8

; The inlined call: outermost frame first.
; CHECK: [[OSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[AFILE]], ptr [[OUTER]], ptr null, i32 6, i32 9, i32 0, i32 1 }, align 8
; CHECK: [[MFILE:@__tm_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"/abs/m.h\00", align 1
; CHECK: [[MID:@__tm_str[.0-9]*]] = private unnamed_addr constant [13 x i8] c"ns::mid(int)\00", align 1
; CHECK: [[MSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[MFILE]], ptr [[MID]], ptr [[OSITE]], i32 20, i32 5, i32 0, i32 2 }, align 8
; CHECK: [[LFILE:@__tm_str[.0-9]*]] = private unnamed_addr constant [21 x i8] c"/build/x/include/h.h\00", align 1
; CHECK: [[LEAF:@__tm_str[.0-9]*]] = private unnamed_addr constant [7 x i8] c"leaf()\00", align 1
; CHECK: [[LSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[LFILE]], ptr [[LEAF]], ptr [[MSITE]], i32 30, i32 3, i32 0, i32 3 }, align 8
; A second call inlined through the same call of mid shares its records.
; CHECK: [[LSITE2:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[LFILE]], ptr [[LEAF]], ptr [[MSITE]], i32 31, i32 0, i32 0, i32 3 }, align 8

; Records of a function with a comdat go in its comdat.
; CHECK: [[LINK:@__tm_str[.0-9]*]] = private unnamed_addr constant [7 x i8] c"link()\00", align 1
; CHECK: [[CSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[AFILE]], ptr [[LINK]], ptr null, i32 40, i32 12, i32 0, i32 1 }, comdat($_Z4linkv), align 8

define void @outer() !dbg !10 {
; CHECK-LABEL: define void @outer()
; CHECK-NEXT: %p = call ptr @__tm_malloc(i64 1, ptr [[DIRECT]]), !dbg
; CHECK-NEXT: %q = call ptr @__tm_malloc(i64 2, ptr [[LSITE]]), !dbg
; CHECK-NEXT: %r = call ptr @__tm_malloc(i64 3, ptr [[LSITE2]]), !dbg
; CHECK-NEXT: %s = call ptr @__tm_malloc(i64 4, ptr [[OSITE]]), !dbg
; CHECK-NEXT: %t = call ptr @__tm_malloc(i64 5, ptr [[DIRECT]]), !dbg
  %p = call ptr @malloc(i64 1), !dbg !20
  %q = call ptr @malloc(i64 2), !dbg !23
  %r = call ptr @malloc(i64 3), !dbg !24
  ; The call mid was inlined at is itself an allocation site here.
  %s = call ptr @malloc(i64 4), !dbg !21
  %t = call ptr @malloc(i64 5), !dbg !20
  ret void
}

define linkonce_odr ptr @_Z4linkv() comdat !dbg !40 {
; CHECK-LABEL: define linkonce_odr ptr @_Z4linkv()
; CHECK-NEXT: %p = call ptr @__tm_malloc(i64 8, ptr [[CSITE]]), !dbg
  %p = call ptr @malloc(i64 8), !dbg !41
  ret ptr %p
}

declare ptr @malloc(i64)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C_plus_plus_14, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "src/../lib/a.c", directory: "/build/x")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !{})
!4 = !DIFile(filename: "/abs/m.h", directory: "/build/x")
!5 = !DIFile(filename: "include/./h.h", directory: "/build/x")
!10 = distinct !DISubprogram(name: "outer", scope: !1, file: !1, line: 4, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!11 = distinct !DISubprogram(name: "mid", linkageName: "_ZN2ns3midEi", scope: !4, file: !4, line: 19, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!12 = distinct !DISubprogram(name: "leaf", linkageName: "_Z4leafv", scope: !5, file: !5, line: 29, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!20 = !DILocation(line: 5, column: 7, scope: !10)
!21 = !DILocation(line: 6, column: 9, scope: !10)
!22 = !DILocation(line: 20, column: 5, scope: !11, inlinedAt: !21)
!23 = !DILocation(line: 30, column: 3, scope: !12, inlinedAt: !22)
!24 = !DILocation(line: 31, scope: !12, inlinedAt: !22)
!40 = distinct !DISubprogram(name: "link", linkageName: "_Z4linkv", scope: !1, file: !1, line: 39, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!41 = !DILocation(line: 40, column: 12, scope: !40)
