; Family definitions are wrapped at the start of the pipeline, before the
; inliner runs: a wrapper inlined into a caller in the same module still
; records, and the instrumentation at the end gives its recording call the
; site of the call it replaced (found through the wrapper's artificial
; debug scope), with TM_SITE_OWN_FRAME when the caller has a frame.
; RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family.tmconf %opt -O2 -S %s | FileCheck %s
; RUN: env TRACEMALLOC_CONFIG=%S/Inputs/family.tmconf %opt -passes=tracemalloc-families -S %s | FileCheck --check-prefix=WRAP %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; The call of fam_malloc in @user (line 8) and in @framed (line 13).
; CHECK-DAG: [[USER_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE:@__tm_str[.0-9]*]], ptr [[USER:@__tm_str[.0-9]*]], ptr null, i32 8, i32 10, i32 0, i32 1 }, align 8
; CHECK-DAG: [[USER]] = private unnamed_addr constant [5 x i8] c"user\00"
; CHECK-DAG: [[FRAMED_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[FRAMED:@__tm_str[.0-9]*]], ptr null, i32 13, i32 10, i32 1, i32 1 }, align 8
; CHECK-DAG: [[FRAMED]] = private unnamed_addr constant [7 x i8] c"framed\00"
; Nothing names the wrapper's own frame.
; CHECK-NOT: c"fam_malloc\00"

; The wrapper, with its body inlined back: it records with the caller's
; slot (no site, no frame), and its malloc is left to the runtime's
; interposition (which passes it through: the reentrancy count is up).
; Not tracing, it is the body alone.
; CHECK-LABEL: define dso_local {{.*}}ptr @fam_malloc(
; CHECK-NOT: store
; CHECK: %tm.on = load atomic i32, ptr @__tm_tracing monotonic
; CHECK: tm.untraced:
; CHECK-NEXT: {{%p.i[0-9]*}} = tail call noalias {{(noundef )?}}ptr @malloc(i64 noundef %size)
; CHECK: tm.traced:
; CHECK-NEXT: %tm.trace = tail call i32 @__tm_family_enter()
; CHECK-NEXT: [[P:%p.i[0-9]*]] = tail call noalias {{(noundef )?}}ptr @malloc(i64 noundef %size)
; CHECK-NEXT: tail call void @__tm_family_alloc(i32 %tm.trace, i32 1, ptr [[P]], i64 %size, ptr null)
define dso_local ptr @fam_malloc(i64 noundef %size) #0 !dbg !8 {
  %p = call noalias ptr @malloc(i64 noundef %size) #2, !dbg !16
  ret ptr %p, !dbg !17
}

; Inlined into a caller without a frame: flags 0. The malloc of the body
; inlined with it runs with the reentrancy count up: left alone.
; CHECK-LABEL: define dso_local {{.*}}ptr @user(
; CHECK-NOT: %tm.shadow
; CHECK: %tm.trace.i = tail call i32 @__tm_family_enter()
; CHECK-NEXT: [[P:%p.i[0-9]*.i]] = tail call noalias {{(noundef )?}}ptr @malloc(i64 noundef %n)
; CHECK-NEXT: tail call void @__tm_family_alloc(i32 %tm.trace.i, i32 1, ptr [[P]], i64 %n, ptr [[USER_SITE]])
define dso_local ptr @user(i64 noundef %n) #0 !dbg !20 {
  %p = call ptr @fam_malloc(i64 noundef %n), !dbg !22
  ret ptr %p, !dbg !23
}

; Inlined into a caller with a frame: flags TM_SITE_OWN_FRAME.
; CHECK-LABEL: define dso_local {{.*}}ptr @framed(
; CHECK: %tm.depth = load
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[MAY_SITE:@__tm_site[.0-9]*]], ptr %[[S]]
; CHECK-NEXT: tail call void @may_allocate()
; CHECK: %tm.trace.i = tail call i32 @__tm_family_enter()
; CHECK-NEXT: [[P:%p.i[0-9]*.i]] = tail call noalias {{(noundef )?}}ptr @malloc(i64 noundef %n)
; CHECK-NEXT: tail call void @__tm_family_alloc(i32 %tm.trace.i, i32 1, ptr [[P]], i64 %n, ptr [[FRAMED_SITE]])
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[MAY_SITE]], ptr %[[S]]
define dso_local ptr @framed(i64 noundef %n) #0 !dbg !30 {
  call void @may_allocate(), !dbg !31
  %p = call ptr @fam_malloc(i64 noundef %n), !dbg !32
  call void @may_allocate(), !dbg !31
  ret ptr %p, !dbg !33
}

declare void @may_allocate()
declare noalias ptr @malloc(i64 noundef) #1

; Before inlining: the wrapper has an artificial scope of its own (the
; body keeps the original one), listed in !tracemalloc.families.
; WRAP-LABEL: define dso_local ptr @fam_malloc(
; WRAP-SAME: !dbg [[WRAPPER_SP:![0-9]+]]
; WRAP-NEXT: entry:
; WRAP-NEXT: %tm.on = load atomic i32, ptr @__tm_tracing monotonic, align 4, !dbg [[WRAPPER_LOC:![0-9]+]]
; WRAP: tm.traced:
; WRAP-NEXT: %tm.trace = call i32 @__tm_family_enter(), !dbg [[WRAPPER_LOC]]
; WRAP-NEXT: %tm.result = call ptr @fam_malloc.tm.body(i64 noundef %size), !dbg [[WRAPPER_LOC]]
; WRAP-NEXT: call void @__tm_family_alloc(i32 %tm.trace, i32 1, ptr %tm.result, i64 %size, ptr null), !dbg [[WRAPPER_LOC]]
; WRAP-NEXT: ret ptr %tm.result, !dbg [[WRAPPER_LOC]]
; WRAP-LABEL: define internal ptr @fam_malloc.tm.body(
; WRAP-SAME: !dbg [[BODY_SP:![0-9]+]]
; WRAP: !tracemalloc.families = !{[[WRAPPER_SP]]}
; WRAP-DAG: [[WRAPPER_SP]] = distinct !DISubprogram(name: "fam_malloc", scope: !1, file: !1, line: 3, type: !{{[0-9]+}}, scopeLine: 3, flags: DIFlagArtificial | DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
; WRAP-DAG: [[BODY_SP]] = distinct !DISubprogram(name: "fam_malloc", scope: !1, file: !1, line: 3, type: !{{[0-9]+}}, scopeLine: 3, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
; WRAP-DAG: [[WRAPPER_LOC]] = !DILocation(line: 3, scope: [[WRAPPER_SP]])

attributes #0 = { nounwind uwtable }
attributes #1 = { nounwind allocsize(0) }
attributes #2 = { nounwind allocsize(0) }

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2, !3}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, isOptimized: true, runtimeVersion: 0, emissionKind: LineTablesOnly, splitDebugInlining: false, nameTableKind: None)
!1 = !DIFile(filename: "inl.c", directory: "/src")
!2 = !{i32 7, !"Dwarf Version", i32 5}
!3 = !{i32 2, !"Debug Info Version", i32 3}
!8 = distinct !DISubprogram(name: "fam_malloc", scope: !1, file: !1, line: 3, type: !9, scopeLine: 3, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!9 = !DISubroutineType(types: !10)
!10 = !{}
!16 = !DILocation(line: 4, column: 10, scope: !8)
!17 = !DILocation(line: 4, column: 3, scope: !8)
!20 = distinct !DISubprogram(name: "user", scope: !1, file: !1, line: 7, type: !9, scopeLine: 7, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!22 = !DILocation(line: 8, column: 10, scope: !20)
!23 = !DILocation(line: 8, column: 3, scope: !20)
!30 = distinct !DISubprogram(name: "framed", scope: !1, file: !1, line: 11, type: !9, scopeLine: 11, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!31 = !DILocation(line: 12, column: 3, scope: !30)
!32 = !DILocation(line: 13, column: 10, scope: !30)
!33 = !DILocation(line: 13, column: 3, scope: !30)
