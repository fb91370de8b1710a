; Where the shadow-stack depth is set back: d at every return (before a
; musttail call, which must stay next to its ret), d + 1 after each call of
; a returns_twice function (setjmp returning again after a longjmp left the
; frames between) and at the top of every landing pad (an exception left
; them). Never a decrement: a frame that was left abnormally did not pop.
; RUN: %opt -passes=tracemalloc -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

%struct.jmp_buf = type { [200 x i8] }

define i32 @jumps(ptr %env) {
; CHECK-LABEL: define i32 @jumps(
; CHECK: %tm.depth = load i32, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: %tm.depth.inner = add i32 %tm.depth, 1
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK: %r = call i32 @_setjmp(ptr %env)
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: %s = call i32 @__sigsetjmp(ptr %env, i32 1)
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: %z = icmp eq i32 %r, 0
; CHECK-NEXT: br i1 %z, label %first, label %again
  %r = call i32 @_setjmp(ptr %env) #0
  %s = call i32 @__sigsetjmp(ptr %env, i32 1) #0
  %z = icmp eq i32 %r, 0
  br i1 %z, label %first, label %again

; CHECK: first:
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]], align 8
; CHECK-NEXT: call void @jump_away(ptr %env)
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret i32 0
first:
  call void @jump_away(ptr %env)
  ret i32 0

; CHECK: again:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret i32 1
again:
  ret i32 1
}

; A setjmp invoked: the store goes on the normal edge, which is split when
; its destination has other predecessors.
define void @invoked_setjmp(ptr %env, i1 %c) personality ptr @__gxx_personality_v0 {
; CHECK-LABEL: define void @invoked_setjmp(
; CHECK: invoke i32 @setjmp(ptr %env)
; CHECK-NEXT: to label %[[SPLIT:.*]] unwind label %lpad
entry:
  call void @ext()
  br i1 %c, label %call, label %join
call:
  %r = invoke i32 @setjmp(ptr %env) #0
          to label %join unwind label %lpad
; CHECK: [[SPLIT]]:
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: br label %join
join:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}

; Landing pads: after the landingpad, before anything else. resume leaves
; the depth alone (the frame that catches sets it).
define void @catches() personality ptr @__gxx_personality_v0 {
; CHECK-LABEL: define void @catches()
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]], align 8
; CHECK-NEXT: invoke void @ext()
; CHECK-NEXT: to label %cont unwind label %lpad
  invoke void @ext()
          to label %cont unwind label %lpad
; CHECK: cont:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret void
cont:
  ret void
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad { ptr, i32 }
; CHECK-NEXT: catch ptr null
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: %e = extractvalue { ptr, i32 } %lp, 0
lpad:
  %lp = landingpad { ptr, i32 } catch ptr null
  %e = extractvalue { ptr, i32 } %lp, 0
  %b = call ptr @__cxa_begin_catch(ptr %e)
  invoke void @ext()
          to label %done unwind label %cleanup
; CHECK: cleanup:
; CHECK-NEXT: %lp2 = landingpad { ptr, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]], align 8
; CHECK-NEXT: call void @__cxa_end_catch()
; CHECK-NEXT: resume { ptr, i32 } %lp2
cleanup:
  %lp2 = landingpad { ptr, i32 } cleanup
  call void @__cxa_end_catch()
  resume { ptr, i32 } %lp2
done:
  call void @__cxa_end_catch()
  ret void
}

; Funclet pads (Windows EH) are pads too: the store follows the catchpad.
define void @funclets() personality ptr @__CxxFrameHandler3 {
; CHECK-LABEL: define void @funclets()
; CHECK: catch:
; CHECK-NEXT: %cp = catchpad within %cs [ptr null, i32 64, ptr null]
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: catchret from %cp to label %cont
  invoke void @ext()
          to label %cont unwind label %dispatch
dispatch:
  %cs = catchswitch within none [label %catch] unwind to caller
catch:
  %cp = catchpad within %cs [ptr null, i32 64, ptr null]
  catchret from %cp to label %cont
cont:
  ret void
}

; musttail: the ret must follow the call, which needs no site (nothing of
; this frame runs after it): the frame is pushed only on the other path,
; where it is restored as usual.
define ptr @forward(ptr %p, i1 %c) {
; CHECK-LABEL: define ptr @forward(
; CHECK: tail:
; CHECK-NEXT: %r = musttail call ptr @target(ptr %p, i1 %c)
; CHECK-NEXT: ret ptr %r
; CHECK: other:
; CHECK-NEXT: {{%tm.shadow = .*@__tm_shadow|%tm.depth = load}}
; CHECK: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]], align 8
; CHECK-NEXT: call void @ext()
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret ptr null
  br i1 %c, label %tail, label %other
tail:
  %r = musttail call ptr @target(ptr %p, i1 %c)
  ret ptr %r
other:
  call void @ext()
  ret ptr null
}

; A musttail call alone needs no frame.
define ptr @only_forward(ptr %p, i1 %c) {
; CHECK-LABEL: define ptr @only_forward(
; CHECK-NEXT: %r = musttail call ptr @target(ptr %p, i1 %c)
; CHECK-NEXT: ret ptr %r
  %r = musttail call ptr @target(ptr %p, i1 %c)
  ret ptr %r
}

; A call that ends the function and cannot allocate runs after the restore,
; so that it stays a tail call. Not a call that may allocate (it needs this
; frame's slot), nor a rewritten allocation (its site says the frame is
; there), nor setjmp (followed by its own store).
define i32 @tails(i32 %k, ptr %env) {
; CHECK-LABEL: define i32 @tails(
; CHECK: pure:
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: %a = tail call i32 @abs(i32 %k)
; CHECK-NEXT: ret i32 %a
; CHECK: may:
; CHECK-NEXT: %[[I:tm\.index[0-9]*]] = and i32 %tm.depth{{[0-9]*}}, 4095
; CHECK-NEXT: %[[X:tm\.index\.ext[0-9]*]] = zext i32 %[[I]] to i64
; CHECK-NEXT: %[[S:tm\.slot[0-9]*]] = getelementptr inbounds %tm.shadow_stack, ptr {{%tm.shadow[0-9]*|@__tm_shadow}}, i64 0, i32 2, i64 %[[X]]
; CHECK-NEXT: store ptr @__tm_site{{[.0-9]*}}, ptr %[[S]], align 8
; CHECK-NEXT: %b = tail call i32 @ext_int()
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret i32 %b
; CHECK: alloc:
; CHECK-NEXT: %p = tail call ptr @__tm_malloc(i64 4, ptr @__tm_site{{[.0-9]*}})
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret i32 0
; CHECK: jump:
; CHECK-NEXT: %j = call i32 @_setjmp(ptr %env)
; CHECK-NEXT: store i32 %tm.depth.inner, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: store i32 %tm.depth, ptr {{%tm.shadow|@__tm_shadow}}, align 4
; CHECK-NEXT: ret i32 %j
  switch i32 %k, label %pure [ i32 0, label %may
                               i32 1, label %alloc
                               i32 2, label %jump ]
pure:
  %a = tail call i32 @abs(i32 %k)
  ret i32 %a
may:
  %b = tail call i32 @ext_int()
  ret i32 %b
alloc:
  %p = tail call ptr @malloc(i64 4)
  ret i32 0
jump:
  %j = call i32 @_setjmp(ptr %env) #0
  ret i32 %j
}

declare i32 @abs(i32)
declare i32 @ext_int()
declare ptr @malloc(i64)
declare i32 @_setjmp(ptr)
declare i32 @__sigsetjmp(ptr, i32)
declare i32 @setjmp(ptr)
declare void @jump_away(ptr)
declare void @ext()
declare ptr @target(ptr, i1)
declare ptr @__cxa_begin_catch(ptr)
declare void @__cxa_end_catch()
declare i32 @__gxx_personality_v0(...)
declare i32 @__CxxFrameHandler3(...)

attributes #0 = { returns_twice }
