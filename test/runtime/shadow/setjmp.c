// longjmp and siglongjmp over several instrumented frames: the frames they
// leave never restore the shadow-stack depth, the frame that called setjmp
// does when setjmp returns again, so the allocations after the jump have
// their exact traceback.
//
// RUN: %tmcc -O0 %s -o %t.O0
// RUN: env TRACEMALLOC=16 %t.O0 | FileCheck %s
// RUN: %tmcc -O2 %s -o %t.O2
// RUN: env TRACEMALLOC=16 %t.O2 | FileCheck %s
#include <setjmp.h>

#include "Inputs/shadow-print.h"

static jmp_buf env;
static sigjmp_buf sigenv;
void *volatile sink[8];
volatile int kept;

// Allocates (a small block, not printed): its callers need frames.
__attribute__((noinline)) void touch(void) { sink[7] = malloc(8); }
__attribute__((noinline)) void keep(size_t n) { sink[kept++] = malloc(n); }

__attribute__((noinline)) void down3(int sig) {
  touch();
  if (sig)
    siglongjmp(sigenv, 1);
  longjmp(env, 1);
}
__attribute__((noinline)) void down2(int sig) { touch(); down3(sig); }
__attribute__((noinline)) void down1(int sig) { touch(); down2(sig); }

__attribute__((noinline)) void jump(void) {
  if (setjmp(env) == 0)
    down1(0);
  sink[kept++] = malloc(1001);
  keep(1002);
}

__attribute__((noinline)) void sigjump(void) {
  if (sigsetjmp(sigenv, 1) == 0)
    down1(1);
  keep(1003);
}

int main(void) {
  jump();
  sigjump();
  shadow_print_traces(1000);
  return 0;
}

// CHECK:      size=1001 nframe=2 total=2
// CHECK-NEXT:   main setjmp.c:46
// CHECK-NEXT:   jump setjmp.c:35
// CHECK-NEXT: size=1002 nframe=3 total=3
// CHECK-NEXT:   main setjmp.c:46
// CHECK-NEXT:   jump setjmp.c:36
// CHECK-NEXT:   keep setjmp.c:21
// CHECK-NEXT: size=1003 nframe=3 total=3
// CHECK-NEXT:   main setjmp.c:47
// CHECK-NEXT:   sigjump setjmp.c:42
// CHECK-NEXT:   keep setjmp.c:21
// CHECK-NEXT: end

// Every frame with its depth in stack slots (FunctionInstrumenter::spillFrame):
// the same tracebacks. (At the end: RUN lines above would move the lines
// the checks pin.)
// RUN: %tmcc -O2 -mllvm -tracemalloc-spilled-frame-calls=1 %s -o %t.spilled
// RUN: env TRACEMALLOC=16 %t.spilled | FileCheck %s
