; Shrink-wrapped frames: the frame is pushed in the nearest block that
; dominates every call that may allocate (and every EH pad and setjmp),
; hoisted out of loops, and popped on each edge that leaves the blocks it
; dominates (an edge block .tm.pop) as well as at the returns among them.
; Allocations outside that region are not in the function's own frame
; (flags 0), those inside are (flags 1). An exit edge that cannot be split
; (indirectbr) keeps the frame at the entry. LLVM 16 and later address the
; shadow stack through llvm.threadlocal.address (%tm.shadow), LLVM 14
; directly.
; RUN: %opt -passes=tracemalloc,verify -S %s 2>/dev/null | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

declare void @ext()
declare ptr @malloc(i64)
declare i32 @__gxx_personality_v0(...)

; The malloc before the branch runs outside the frame, the one in %cold
; inside it.
; CHECK: [[OUTSIDE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE:@__tm_str[.0-9]*]], ptr [[RARE:@__tm_str[.0-9]*]], ptr null, i32 0, i32 0, i32 0, i32 1 }
; CHECK: [[INSIDE:@__tm_site[.0-9]*]] = private unnamed_addr constant %tm.site { ptr [[FILE]], ptr [[RARE]], ptr null, i32 0, i32 0, i32 1, i32 1 }
; CHECK-LABEL: define void @rare(
; CHECK-NEXT: entry:
; CHECK-NEXT: %p = call ptr @__tm_malloc(i64 8, ptr [[OUTSIDE]])
; CHECK-NEXT: br i1 %c, label %cold, label %done
; CHECK: cold:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK: %tm.depth.inner = add i32 %tm.depth, 1
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr [[OUTSIDE]], ptr %[[S]]
; CHECK-NEXT: call void @ext()
; CHECK-NEXT: %q = call ptr @__tm_malloc(i64 16, ptr [[INSIDE]])
; CHECK-NEXT: br label %done.tm.pop
; CHECK: done.tm.pop:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: br label %done
; CHECK: done:
; CHECK-NEXT: ret void
define void @rare(i1 %c) {
entry:
  %p = call ptr @malloc(i64 8)
  br i1 %c, label %cold, label %done
cold:
  call void @ext()
  %q = call ptr @malloc(i64 16)
  br label %done
done:
  ret void
}

; A call on a path inside a loop: pushed once, in the preheader, popped
; on the loop's exit edge, nothing inside the loop but the site store.
; CHECK-LABEL: define void @loop(
; CHECK-NEXT: entry:
; CHECK-NEXT: %g = icmp
; CHECK-NEXT: br i1 %g, label %ph, label %out
; CHECK: ph:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK: br label %loop
; CHECK: loop:
; CHECK-NOT: %tm.
; CHECK: call:
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]]
; CHECK-NEXT: call void @ext()
; CHECK: latch:
; CHECK-NOT: store
; CHECK: br i1 %more, label %loop, label %out.tm.pop
; CHECK: out.tm.pop:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: br label %out
; CHECK: out:
; CHECK-NEXT: ret void
define void @loop(i32 %n) {
entry:
  %g = icmp sgt i32 %n, 0
  br i1 %g, label %ph, label %out
ph:
  br label %loop
loop:
  %i = phi i32 [ 0, %ph ], [ %i.next, %latch ]
  %odd = and i32 %i, 1
  %c = icmp eq i32 %odd, 0
  br i1 %c, label %call, label %latch
call:
  call void @ext()
  br label %latch
latch:
  %i.next = add i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %out
out:
  ret void
}

; Both switch edges to %out go through one pop block; the return inside
; the region restores before returning.
; CHECK-LABEL: define i32 @switch(
; CHECK-NEXT: entry:
; CHECK-NEXT: br i1 %c, label %cold, label %out
; CHECK: cold:
; CHECK: call void @ext()
; CHECK-NEXT: switch i32 %v, label %out.tm.pop [
; CHECK-NEXT: i32 1, label %out.tm.pop
; CHECK-NEXT: i32 2, label %other
; CHECK: other:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: ret i32 2
; CHECK: out.tm.pop:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: br label %out
; CHECK: out:
; CHECK-NEXT: %r = phi i32 [ 0, %entry ], [ 1, %out.tm.pop ]
define i32 @switch(i1 %c, i32 %v) {
entry:
  br i1 %c, label %cold, label %out
cold:
  call void @ext()
  switch i32 %v, label %out [ i32 1, label %out
                              i32 2, label %other ]
other:
  ret i32 2
out:
  %r = phi i32 [ 0, %entry ], [ 1, %cold ], [ 1, %cold ]
  ret i32 %r
}

; The landing pad is dominated by the push: it restores the frame's depth;
; the invoke's normal edge out of the region gets the pop block.
; CHECK-LABEL: define void @invoke(
; CHECK-NEXT: entry:
; CHECK-NEXT: br i1 %c, label %cold, label %done
; CHECK: cold:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK: invoke void @ext()
; CHECK-NEXT: to label %done.tm.pop unwind label %lpad
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad
; CHECK-NEXT: cleanup
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK: done.tm.pop:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: br label %done
define void @invoke(i1 %c) personality ptr @__gxx_personality_v0 {
entry:
  br i1 %c, label %cold, label %done
cold:
  invoke void @ext() to label %done unwind label %lpad
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  call void @ext()
  resume { ptr, i32 } %lp
done:
  ret void
}

; indirectbr's edges cannot be split: the frame stays at the entry.
; CHECK-LABEL: define void @indirect(
; CHECK-NEXT: entry:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK: done:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}
; CHECK-NEXT: ret void
define void @indirect(i1 %c, ptr %a) {
entry:
  br i1 %c, label %cold, label %done
cold:
  call void @ext()
  indirectbr ptr %a, [label %done]
done:
  ret void
}
