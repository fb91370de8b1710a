; The shadow-stack frame of a function that calls functions that may
; allocate (docs/architecture.md, "Tracebacks without unwinding"): the depth
; is read and incremented at entry, a call site is stored before each call
; that may allocate (not before calls that cannot, intrinsics or inline asm), the
; depth is restored at every return, and the function's own allocation
; sites say that the top slot is its own (flags = TM_SITE_OWN_FRAME).
; RUN: %opt -passes=tracemalloc -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; CHECK: %tm.shadow_stack = type { i32, i32, [4096 x ptr] }

; The allocation in @caller (line 6): flags 1, its function has a frame.
; CHECK: [[FILE:@__tm_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"/src/s.c\00", align 1
; CHECK: [[CALLER:@__tm_str[.0-9]*]] = private unnamed_addr constant [7 x i8] c"caller\00", align 1
; CHECK: [[OWN_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[CALLER]], ptr null, i32 6, i32 7, i32 1, i32 1 }, align 8
; An allocation inlined at line 7: its innermost record has flags 1, the
; record of the frame it was inlined into has none; the allocation made at
; line 7 itself is another record, with flags 1.
; CHECK: [[INL_OUTER:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[CALLER]], ptr null, i32 7, i32 3, i32 0, i32 1 }, align 8
; CHECK: [[HELPER:@__tm_str[.0-9]*]] = private unnamed_addr constant [7 x i8] c"helper\00", align 1
; CHECK: [[INL_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[HELPER]], ptr [[INL_OUTER]], i32 41, i32 2, i32 1, i32 2 }, align 8
; CHECK: [[DIRECT_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[CALLER]], ptr null, i32 7, i32 3, i32 1, i32 1 }, align 8
; No PIC level: code for an executable, which defines the shadow stack.
; CHECK: @__tm_shadow = linkonce_odr dso_local thread_local(localexec) global %tm.shadow_stack zeroinitializer, comdat
; The call sites of @caller: flags 0 (the runtime only reads the flags of
; allocation sites).
; CHECK: [[EXT_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[CALLER]], ptr null, i32 3, i32 5, i32 0, i32 1 }, align 8
; CHECK: [[LEAF_SITE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[CALLER]], ptr null, i32 5, i32 9, i32 0, i32 1 }, align 8
; CHECK: [[LEAF:@__tm_str[.0-9]*]] = private unnamed_addr constant [5 x i8] c"leaf\00", align 1
; CHECK: [[LEAF_ALLOC:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[LEAF]], ptr null, i32 21, i32 3, i32 0, i32 1 }, align 8

define i32 @caller(i32 %x, ptr %s) !dbg !10 {
; CHECK-LABEL: define i32 @caller(
; CHECK-NEXT: entry:
; CHECK-NEXT: %buf = alloca [16 x i8], align 1
; LLVM 16 and later address the shadow stack through
; llvm.threadlocal.address (%tm.shadow), LLVM 14 directly.
; CHECK: %tm.depth = load i32, ptr [[SHADOW:%tm.shadow|@__tm_shadow]], align 4, !dbg [[ENTRY_LOC:![0-9]+]]
; CHECK-NEXT: %tm.depth.inner = add i32 %tm.depth, 1, !dbg [[ENTRY_LOC]]
; CHECK-NEXT: store i32 %tm.depth.inner, ptr [[SHADOW]], align 4, !dbg [[ENTRY_LOC]]
; Known not to allocate: no store.
; CHECK-NEXT: %n = call i64 @strlen(ptr %s), !dbg
; CHECK-NEXT: call void @llvm.memcpy.p0.p0.i64(ptr %buf, ptr %s, i64 16, i1 false), !dbg
; CHECK-NEXT: call void asm sideeffect "call ext", ""(), !dbg
; CHECK-NEXT: %c = icmp eq i32 %x, 0
; CHECK-NEXT: br i1 %c, label %a, label %b
entry:
  %buf = alloca [16 x i8]
  %n = call i64 @strlen(ptr %s), !dbg !11
  call void @llvm.memcpy.p0.p0.i64(ptr %buf, ptr %s, i64 16, i1 false), !dbg !11
  call void asm sideeffect "call ext", ""(), !dbg !11
  %c = icmp eq i32 %x, 0
  br i1 %c, label %a, label %b

; May allocate: the site goes into the slot first, slots[d % 4096], its
; address computed there (only d stays live across calls). Every return
; restores.
; CHECK: a:
; CHECK-NEXT: %tm.index = and i32 %tm.depth, 4095, !dbg [[EXT_LOC:![0-9]+]]
; CHECK-NEXT: %tm.index.ext = zext i32 %tm.index to i64, !dbg [[EXT_LOC]]
; CHECK-NEXT: %tm.slot = getelementptr inbounds %tm.shadow_stack, ptr [[SHADOW]], i64 0, i32 2, i64 %tm.index.ext, !dbg [[EXT_LOC]]
; CHECK-NEXT: store ptr [[EXT_SITE]], ptr %tm.slot, align 8, !dbg [[EXT_LOC]]
; CHECK-NEXT: call void @ext(), !dbg [[EXT_LOC]]
; CHECK-NEXT: store i32 %tm.depth, ptr [[SHADOW]], align 4, !dbg
; CHECK-NEXT: ret i32 0
a:
  call void @ext(), !dbg !12
  ret i32 0, !dbg !12

; A call of a function without a frame that allocates needs a site; the
; allocation here passes its site and stores nothing.
; CHECK: b:
; CHECK-NEXT: %[[I:tm\.index[0-9]+]] = and i32 %tm.depth, 4095, !dbg
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]+]] = zext i32 %[[I]] to i64, !dbg
; CHECK-NEXT: %[[S:tm\.slot[0-9]+]] = getelementptr inbounds %tm.shadow_stack, ptr [[SHADOW]], i64 0, i32 2, i64 %[[X]], !dbg
; CHECK-NEXT: store ptr [[LEAF_SITE]], ptr %[[S]], align 8, !dbg
; CHECK-NEXT: %l = call ptr @leaf(), !dbg
; CHECK-NEXT: %p = call ptr @__tm_malloc(i64 8, ptr [[OWN_SITE]]), !dbg
; CHECK-NEXT: %q = call ptr @__tm_malloc(i64 9, ptr [[INL_SITE]]), !dbg
; CHECK-NEXT: %r = call ptr @__tm_malloc(i64 10, ptr [[DIRECT_SITE]]), !dbg
; CHECK-NEXT: store i32 %tm.depth, ptr [[SHADOW]], align 4, !dbg
; CHECK-NEXT: ret i32 1
b:
  %l = call ptr @leaf(), !dbg !13
  %p = call ptr @malloc(i64 8), !dbg !14
  %q = call ptr @malloc(i64 9), !dbg !16
  %r = call ptr @malloc(i64 10), !dbg !15
  ret i32 1, !dbg !14
}

; Only allocation calls (and a free): no frame, flags 0, the top slot is
; the caller's.
define ptr @leaf() !dbg !20 {
; CHECK-LABEL: define ptr @leaf(
; CHECK-NEXT: %p = call ptr @__tm_malloc(i64 4, ptr [[LEAF_ALLOC]]), !dbg
; CHECK-NEXT: call void @__tm_free(ptr %p, ptr [[LEAF_ALLOC]]), !dbg
; CHECK-NEXT: %q = call ptr @__tm_malloc(i64 5, ptr [[LEAF_ALLOC]]), !dbg
; CHECK-NEXT: ret ptr %q
  %p = call ptr @malloc(i64 4), !dbg !21
  call void @free(ptr %p), !dbg !21
  %q = call ptr @malloc(i64 5), !dbg !21
  ret ptr %q
}

; CHECK: [[ENTRY_LOC]] = !DILocation(line: 0, scope: [[CALLER_SP:![0-9]+]])
; CHECK: [[EXT_LOC]] = !DILocation(line: 3, column: 5, scope: [[CALLER_SP]])

declare i64 @strlen(ptr)
declare void @ext()
declare ptr @malloc(i64)
declare void @free(ptr)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "s.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !{})
!10 = distinct !DISubprogram(name: "caller", scope: !1, file: !1, line: 1, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!11 = !DILocation(line: 2, column: 3, scope: !10)
!12 = !DILocation(line: 3, column: 5, scope: !10)
!13 = !DILocation(line: 5, column: 9, scope: !10)
!14 = !DILocation(line: 6, column: 7, scope: !10)
!20 = distinct !DISubprogram(name: "leaf", scope: !1, file: !1, line: 20, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!21 = !DILocation(line: 21, column: 3, scope: !20)
!15 = !DILocation(line: 7, column: 3, scope: !10)
!16 = !DILocation(line: 41, column: 2, scope: !40, inlinedAt: !15)
!40 = distinct !DISubprogram(name: "helper", scope: !1, file: !1, line: 40, type: !3, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
