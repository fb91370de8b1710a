; The ignore list of the configuration file (the sanitizers' fun: and src:
; lines): functions whose mangled or demangled name matches a fun: pattern
; are neither instrumented nor rewritten, nor wrapped when they are family
; functions; a module whose source file name (as given, or made absolute)
; matches a src: pattern is left alone entirely.
; RUN: printf 'malloc ignored_alloc size=0 domain=1\nmalloc fam_alloc size=0 domain=1\nfun:ignored_*\nfun:ns::skip*\n' > %t.fun
; RUN: %opt -passes=tracemalloc -tracemalloc-config=%t.fun -S %s 2>&1 | FileCheck %s
; RUN: printf 'malloc fam_alloc size=0 domain=1\nsrc:*/ignored-dir/*.c\n' > %t.src
; RUN: %opt -passes=tracemalloc -tracemalloc-config=%t.src -S %s 2>&1 | FileCheck --check-prefix=SRC %s
; RUN: printf 'malloc fam_alloc size=0 domain=1\nsrc:/*/lib/ignored-dir/[ab].c\n' > %t.abs
; RUN: %opt -passes=tracemalloc -tracemalloc-config=%t.abs -S %s 2>&1 | FileCheck --check-prefix=SRC %s
; RUN: printf 'malloc fam_alloc size=0 domain=1\nsrc:other.c\n' > %t.other
; RUN: %opt -passes=tracemalloc -tracemalloc-config=%t.other -S %s 2>&1 | FileCheck --check-prefix=OTHER %s

source_filename = "lib/ignored-dir/a.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

; SRC-NOT: __tm_
; SRC-NOT: warning

define ptr @ignored_caller() {
; CHECK-LABEL: define ptr @ignored_caller() {
; CHECK-NEXT: %p = call ptr @malloc(i64 1)
; CHECK-NEXT: call void @may_allocate()
; CHECK-NEXT: ret ptr %p
  %p = call ptr @malloc(i64 1)
  call void @may_allocate()
  ret ptr %p
}

; The demangled name is ns::skip().
define ptr @_ZN2ns4skipEv() {
; CHECK-LABEL: define ptr @_ZN2ns4skipEv() {
; CHECK-NEXT: %p = call ptr @malloc(i64 2)
  %p = call ptr @malloc(i64 2)
  ret ptr %p
}

; A family function on the ignore list is not wrapped: it is ordinary code
; (its malloc is not rewritten either).
define ptr @ignored_alloc(i64 %size) {
; CHECK-LABEL: define ptr @ignored_alloc(i64 %size) {
; CHECK-NEXT: %p = call ptr @malloc(i64 %size)
; CHECK-NEXT: ret ptr %p
  %p = call ptr @malloc(i64 %size)
  ret ptr %p
}

define ptr @fam_alloc(i64 %size) {
; CHECK-LABEL: define ptr @fam_alloc(i64 %size)
; CHECK: call void @__tm_family_alloc(
; OTHER-LABEL: define ptr @fam_alloc(i64 %size)
; OTHER: call void @__tm_family_alloc(
  %p = call ptr @malloc(i64 %size)
  ret ptr %p
}

define ptr @instrumented() {
; CHECK-LABEL: define ptr @instrumented() {
; CHECK: %p = call ptr @__tm_malloc(i64 3, ptr @__tm_site
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{.*}}, ptr %[[S]]
; CHECK-NEXT: %q = call ptr @ignored_caller()
; OTHER-LABEL: define ptr @instrumented() {
; OTHER: %p = call ptr @__tm_malloc(i64 3, ptr @__tm_site
  %p = call ptr @malloc(i64 3)
  %q = call ptr @ignored_caller()
  ret ptr %p
}

declare ptr @malloc(i64)
declare void @may_allocate()
