; Without debug information, a record names the module's source file (made
; absolute with the working directory), the function, and line 0; the pass
; warns once per module.
; RUN: cd %S && %opt -passes=tracemalloc -S %s 2>%t.err | FileCheck %s -DDIR=%S
; RUN: FileCheck %s --check-prefix=WARN --input-file=%t.err

; WARN: warning: tracemalloc: dir/../nodebug.c has no debug information: tracebacks of its allocations will have no line numbers; compile it with -g or -gline-tables-only
; WARN-NOT: warning

source_filename = "dir/../nodebug.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; One record per function, shared by its calls.
; CHECK: [[FILE:@__tm_str[.0-9]*]] = private unnamed_addr constant [{{[0-9]+}} x i8] c"[[DIR]]/nodebug.c\00", align 1
; CHECK: [[FNAME:@__tm_str[.0-9]*]] = private unnamed_addr constant [2 x i8] c"f\00", align 1
; CHECK: [[FSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[FNAME]], ptr null, i32 0, i32 0, i32 0, i32 1 }, align 8
; C++ names are demangled.
; CHECK: [[GNAME:@__tm_str[.0-9]*]] = private unnamed_addr constant [19 x i8] c"ns::g(char const*)\00", align 1
; CHECK: [[GSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[GNAME]], ptr null, i32 0, i32 0, i32 0, i32 1 }, align 8
; In a module with debug information, a call without a location is named
; after its function's DISubprogram, and there is no warning.
; CHECK: [[HFILE:@__tm_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"/src/h.c\00", align 1
; CHECK: [[HNAME:@__tm_str[.0-9]*]] = private unnamed_addr constant [2 x i8] c"h\00", align 1
; CHECK: [[HSITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[HFILE]], ptr [[HNAME]], ptr null, i32 0, i32 0, i32 0, i32 1 }, align 8

define void @f() {
; CHECK-LABEL: define void @f()
; CHECK-NEXT: call ptr @__tm_malloc(i64 1, ptr [[FSITE]])
; CHECK-NEXT: call ptr @__tm_malloc(i64 2, ptr [[FSITE]])
  call ptr @malloc(i64 1)
  call ptr @malloc(i64 2)
  ret void
}

define void @_ZN2ns1gEPKc() {
; CHECK-LABEL: define void @_ZN2ns1gEPKc()
; CHECK-NEXT: call ptr @__tm_malloc(i64 3, ptr [[GSITE]])
  call ptr @malloc(i64 3)
  ret void
}

define void @h() !dbg !10 {
; CHECK-LABEL: define void @h()
; CHECK-NEXT: call ptr @__tm_malloc(i64 4, ptr [[HSITE]])
  call ptr @malloc(i64 4)
  ret void
}

declare ptr @malloc(i64)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "clang", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "h.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !{})
!10 = distinct !DISubprogram(name: "h", scope: !1, file: !1, line: 1, type: !3, spFlags: DISPFlagDefinition, unit: !0)
