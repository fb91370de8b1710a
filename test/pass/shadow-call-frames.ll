; Frames around single calls: when the calls that may allocate are rare
; (the slow paths of an allocator, error paths), each call pushes a frame of its
; own right before it and pops it right after it, by decrementing the
; depth, and the common path has no shadow-stack code at all. Allocations
; of such a function are made outside any frame of its own (flags 0).
; "Rare" is the static estimate of block frequencies: the calls together
; run on fewer than half of the entries. Calls as likely as not, calls in
; a loop, and functions with a landing pad, an invoke or setjmp keep the
; frame at the entry.
; RUN: %opt -passes=tracemalloc,verify -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

declare ptr @new_pool(i64)
declare ptr @raw_malloc(i64)
declare void @ext()
declare ptr @malloc(i64)
declare i32 @setjmp(ptr) returns_twice
declare i32 @__gxx_personality_v0(...)

@pools = global [64 x ptr] zeroinitializer

; The site record of the malloc in @direct: flags 0.
; CHECK: [[DIRECT_NAME:@__tm_str[.0-9]*]] = {{.*}} c"direct\00"
; CHECK-NEXT: [[DIRECT:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr {{@__tm_str[.0-9]*}}, ptr [[DIRECT_NAME]], ptr null, i32 0, i32 0, i32 0, i32 1 }

; An allocator: large requests and empty pools are rare (as
; __builtin_expect says), and lie on different branches.
; CHECK-LABEL: define ptr @obj_malloc(
; CHECK-NEXT: entry:
; CHECK-NEXT: %big = icmp ugt i64 %n, 512
; CHECK-NEXT: br i1 %big, label %raw, label %small
; CHECK: raw:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK: %tm.depth.inner = add i32 %tm.depth, 1
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %r = call ptr @raw_malloc(i64 %n)
; The pop reuses the push's address of the shadow stack.
; CHECK-NEXT: %tm.depth.after = load i32, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: %tm.depth.popped = sub i32 %tm.depth.after, 1
; CHECK-NEXT: store i32 %tm.depth.popped, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: ret ptr %r
; The common path: nothing of the shadow stack.
; CHECK: small:
; CHECK-NOT: tm.
; CHECK: br i1 %empty, label %refill, label %take
; CHECK: refill:
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: %fresh = call ptr @new_pool(i64 %n)
; CHECK: %tm.depth.popped{{[0-9]*}} = sub i32 %tm.depth.after{{[0-9]*}}, 1
; CHECK: take:
; CHECK-NOT: tm.
; CHECK: ret ptr %p
define ptr @obj_malloc(i64 %n) {
entry:
  %big = icmp ugt i64 %n, 512
  br i1 %big, label %raw, label %small, !prof !0
raw:
  %r = call ptr @raw_malloc(i64 %n)
  ret ptr %r
small:
  %i = lshr i64 %n, 4
  %pool = getelementptr [64 x ptr], ptr @pools, i64 0, i64 %i
  %head = load ptr, ptr %pool
  %empty = icmp eq ptr %head, null
  br i1 %empty, label %refill, label %take, !prof !0
refill:
  %fresh = call ptr @new_pool(i64 %n)
  br label %take
take:
  %p = phi ptr [ %head, %small ], [ %fresh, %refill ]
  %next = load ptr, ptr %p
  store ptr %next, ptr %pool
  ret ptr %p
}

; A direct allocation in such a function is made outside a frame of its
; own: flags 0.
; CHECK-LABEL: define ptr @direct(
; CHECK-NEXT: entry:
; CHECK-NEXT: %p = call ptr @__tm_malloc(i64 8, ptr [[DIRECT]])
; CHECK: cold1:
; CHECK: call void @ext()
; CHECK: cold2:
; CHECK: call void @ext()
define ptr @direct(i1 %a, i1 %b) {
entry:
  %p = call ptr @malloc(i64 8)
  br i1 %a, label %cold1, label %next, !prof !0
cold1:
  call void @ext()
  br label %next
next:
  br i1 %b, label %cold2, label %done, !prof !0
cold2:
  call void @ext()
  br label %done
done:
  ret ptr %p
}

; A rare call below a block other than the entry: shrink-wrapping would
; push the frame in %slow, off the common path, but its d would then stay
; live across the call in a callee-saved register, which the prologue saves
; on every run. A frame around the call keeps nothing live across it.
; CHECK-LABEL: define i64 @rare_below(
; CHECK-NEXT: entry:
; CHECK-NOT: tm.
; CHECK: slow:
; CHECK-NEXT: {{%tm.shadow[0-9]* = .*@__tm_shadow|%tm.depth[0-9]* = load}}
; CHECK: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @ext()
; CHECK-NEXT: %tm.depth.after{{[0-9]*}} = load i32
; CHECK-NEXT: %tm.depth.popped{{[0-9]*}} = sub i32 %tm.depth.after{{[0-9]*}}, 1
; CHECK-NEXT: store i32 %tm.depth.popped{{[0-9]*}}
; CHECK-NEXT: br label %done
; CHECK-NOT: tm.
; CHECK: ret i64 %x
define i64 @rare_below(i64 %x, i1 %a) {
entry:
  %c = icmp ugt i64 %x, 100
  br i1 %c, label %check, label %done
check:
  br i1 %a, label %slow, label %done, !prof !0
slow:
  call void @ext()
  br label %done
done:
  ret i64 %x
}

; As likely as not (no weights): one frame, at the entry.
; CHECK-LABEL: define void @even(
; CHECK-NEXT: entry:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK-NOT: tm.depth.popped
; CHECK: ret void
define void @even(i1 %a) {
entry:
  br i1 %a, label %left, label %right
left:
  call void @ext()
  br label %done
right:
  call void @ext()
  br label %done
done:
  ret void
}

; Rare calls, but one is an invoke: its unwind edge has no room for a pop.
; CHECK-LABEL: define void @with_invoke(
; CHECK-NEXT: entry:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK-NOT: tm.depth.popped
; CHECK: ret void
define void @with_invoke(i1 %a, i1 %b) personality ptr @__gxx_personality_v0 {
entry:
  br i1 %a, label %cold1, label %next, !prof !0
cold1:
  invoke void @ext() to label %next unwind label %lpad
next:
  br i1 %b, label %cold2, label %done, !prof !0
cold2:
  call void @ext()
  br label %done
done:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}

; Rare calls, but setjmp: the frame must be there when it returns again.
; CHECK-LABEL: define void @with_setjmp(
; CHECK-NEXT: entry:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK-NOT: tm.depth.popped
; CHECK: ret void
define void @with_setjmp(ptr %env, i1 %a, i1 %b) {
entry:
  %j = call i32 @setjmp(ptr %env)
  br i1 %a, label %cold1, label %next, !prof !0
cold1:
  call void @ext()
  br label %next
next:
  br i1 %b, label %cold2, label %done, !prof !0
cold2:
  call void @ext()
  br label %done
done:
  ret void
}

!0 = !{!"branch_weights", i32 1, i32 2000}
