; The rewritten call keeps what the original had: return and parameter
; attributes, function attributes other than `builtin` and the allocator
; kinds, operand bundles, calling convention, tail-call kind, !dbg and
; !heapallocsite. The runtime declarations get noalias and allocsize but
; not allockind / alloc-family: LLVM must not treat them as allocators.
; The input uses allocptr, which LLVM 14 does not parse.
; UNSUPPORTED: llvm-14
; RUN: %opt -passes=tracemalloc -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define ptr @attrs(i64 %n, ptr %p) !dbg !10 {
; CHECK-LABEL: define ptr @attrs(
; CHECK-NEXT: %a = tail call noalias nonnull align 16 dereferenceable_or_null(32) ptr @__tm_malloc(i64 noundef %n, ptr @__tm_site{{[.0-9]*}}) [[CALLATTRS:#[0-9]+]] [ "tag"(i32 7) ], !dbg [[LOC:![0-9]+]], !heapallocsite [[TY:![0-9]+]]
; CHECK-NEXT: %b = call fastcc noalias ptr @__tm_realloc(ptr noundef %a, i64 noundef %n, ptr @__tm_site{{[.0-9]*}}) [[CALLATTRS]], !dbg
; CHECK-NEXT: notail call void @__tm_free(ptr noundef %p, ptr @__tm_site{{[.0-9]*}}), !dbg
; CHECK-NEXT: ret ptr %b
  %a = tail call noalias nonnull align 16 dereferenceable_or_null(32) ptr @malloc(i64 noundef %n) #1 [ "tag"(i32 7) ], !dbg !11, !heapallocsite !3
  %b = call fastcc noalias ptr @realloc(ptr noundef %a, i64 noundef %n) #1, !dbg !12
  notail call void @free(ptr noundef %p), !dbg !13
  ret ptr %b
}

; A musttail call cannot change prototype: it becomes a plain tail call.
define ptr @forward(i64 %n) !dbg !20 {
; CHECK-LABEL: define ptr @forward(
; CHECK-NEXT: %r = tail call ptr @__tm_malloc(i64 %n, ptr @__tm_site{{[.0-9]*}}), !dbg
; CHECK-NEXT: ret ptr %r
  %r = musttail call ptr @malloc(i64 %n), !dbg !21
  ret ptr %r
}

; CHECK-DAG: declare noalias ptr @__tm_malloc(i64, ptr) [[MALLOCDECL:#[0-9]+]]
; CHECK-DAG: declare noalias ptr @__tm_realloc(ptr, i64, ptr) [[REALLOCDECL:#[0-9]+]]
; CHECK-DAG: declare void @__tm_free(ptr, ptr) [[FREEDECL:#[0-9]+]]
; CHECK-DAG: attributes [[CALLATTRS]] = { nounwind "site"="kept" }
; CHECK-DAG: attributes [[MALLOCDECL]] = { nounwind allocsize(0) }
; CHECK-DAG: attributes [[REALLOCDECL]] = { nounwind allocsize(1) }
; CHECK-DAG: attributes [[FREEDECL]] = { nounwind }
; CHECK-DAG: [[LOC]] = !DILocation(line: 3, column: 14, scope:
; CHECK-DAG: [[TY]] = !DIBasicType(name: "int"

declare noalias ptr @malloc(i64 noundef) #0
declare noalias ptr @realloc(ptr allocptr noundef, i64 noundef) #2
declare void @free(ptr allocptr noundef) #3

attributes #0 = { mustprogress nofree nounwind willreturn allockind("alloc,uninitialized") allocsize(0) memory(inaccessiblemem: readwrite) "alloc-family"="malloc" }
attributes #1 = { builtin nounwind allockind("alloc") memory(inaccessiblemem: readwrite) "alloc-family"="malloc" "site"="kept" }
attributes #2 = { mustprogress nounwind willreturn allockind("realloc") allocsize(1) memory(argmem: readwrite, inaccessiblemem: readwrite) "alloc-family"="malloc" }
attributes #3 = { mustprogress nounwind willreturn allockind("free") memory(argmem: readwrite, inaccessiblemem: readwrite) "alloc-family"="malloc" }

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "attrs.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!4 = !DISubroutineType(types: !{})
!10 = distinct !DISubprogram(name: "attrs", scope: !1, file: !1, line: 2, type: !4, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!11 = !DILocation(line: 3, column: 14, scope: !10)
!12 = !DILocation(line: 4, column: 14, scope: !10)
!13 = !DILocation(line: 5, column: 3, scope: !10)
!20 = distinct !DISubprogram(name: "forward", scope: !1, file: !1, line: 8, type: !4, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!21 = !DILocation(line: 9, column: 10, scope: !20)
