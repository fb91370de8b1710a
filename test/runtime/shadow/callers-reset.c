// Frames whose callers set the depth back: a static function that only
// instrumented frames call, directly, skips restoring the depth at its rets,
// so that its calls in tail position stay tail calls (no frame of its own
// stays on the machine stack), and each caller stores its own depth back
// after calling it. Tracebacks stay exact: through chains of such tail
// calls, recursion, a rare call (a frame around one call) of such a
// function, the caller's own allocations after those calls, and
// calls through a table of function pointers that is only read to call
// through, and uninstrumented code that allocates after calling back a
// static function whose address it was given (which restores, as every
// function other code may call must).
//
// clang-format off
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -g -I%include -fpass-plugin=%plugin -S -emit-llvm -o %t/prog.ll %s
// RUN: FileCheck %s --check-prefix=FORWARD < %t/prog.ll
// RUN: FileCheck %s --check-prefix=FORWARD2 < %t/prog.ll
// RUN: FileCheck %s --check-prefix=OUTER < %t/prog.ll
// RUN: FileCheck %s --check-prefix=RARE < %t/prog.ll
// RUN: FileCheck %s --check-prefix=CALLBACK < %t/prog.ll
// RUN: FileCheck %s --check-prefix=TABLE < %t/prog.ll
// RUN: FileCheck %s --check-prefix=VIA < %t/prog.ll
// RUN: FileCheck %s --check-prefix=ESCAPED < %t/prog.ll
// RUN: %clang -O2 -c -DUNINSTRUMENTED %s -o %t/plain.o
// RUN: %tmcc -O2 %s %t/plain.o -o %t/prog
// RUN: objdump -d --no-show-raw-insn %t/prog > %t/prog.s
// RUN: FileCheck %s --check-prefix=ASM-FORWARD < %t/prog.s
// RUN: FileCheck %s --check-prefix=ASM-FORWARD2 < %t/prog.s
// RUN: env TRACEMALLOC=8 %t/prog | FileCheck %s
// RUN: %tmcc -O2 -mllvm -tracemalloc-spilled-frame-calls=1 %s %t/plain.o -o %t/spilled
// RUN: env TRACEMALLOC=8 %t/spilled | FileCheck %s
// RUN: %tmcc -O0 %s %t/plain.o -o %t/prog0
// RUN: env TRACEMALLOC=8 %t/prog0 | FileCheck %s
// clang-format on

#ifdef UNINSTRUMENTED
#include <stdlib.h>
/* Calls back, then allocates through the interposer. */
void *call_then_alloc(void (*callback)(void)) {
  callback();
  return malloc(1550);
}
void *call_table_then_alloc(void *(**table)(size_t), void **out) {
  *out = table[0](1700);
  return malloc(1750);
}
#else
#include "Inputs/shadow-print.h"

#define NOINLINE __attribute__((noinline))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

void *volatile sink[16];
void *call_then_alloc(void (*callback)(void));
void *call_table_then_alloc(void *(**table)(size_t), void **out);

static NOINLINE void *leaf(size_t n) { return malloc(n); }
static NOINLINE void *forward(size_t n) { return leaf(n + 1); }
static NOINLINE void *forward2(size_t n) { return forward(n + 1); }

static NOINLINE unsigned depth_sum(unsigned n) {
  if (n == 0) {
    sink[5] = leaf(1150);
    return 0;
  }
  return depth_sum(n - 1) / 2 + n; /* not an accumulator: stays recursive */
}

static NOINLINE void *rare(size_t n) {
  if (UNLIKELY(n > 1000))
    sink[6] = forward(n);
  return malloc(n + 300);
}

static NOINLINE void callback(void) { sink[7] = forward2(1400); }

/* A table only read to call through: its functions leave the depth too. */
static NOINLINE void *by_table_a(size_t n) { return forward(n + 3); }
static NOINLINE void *by_table_b(size_t n) { return leaf(n + 5); }
static void *(*table[2])(size_t) = {by_table_a, by_table_b};
static NOINLINE void *via_table(unsigned i, size_t n) {
  return table[i & 1](n);
}

/* A table whose address other code gets: its function restores. */
static NOINLINE void *escaped_fn(size_t n) { return forward(n + 7); }
static void *(*escaped[1])(size_t) = {escaped_fn};

NOINLINE void *outer(size_t n) {
  sink[0] = forward2(n);
  sink[1] = malloc(n + 100);
  sink[2] = leaf(n + 200);
  return forward(n + 10);
}

int main(void) {
  sink[3] = outer(1000);
  sink[4] = malloc(1050);
  depth_sum(3);
  sink[8] = rare(1200);
  sink[11] = rare(20); /* below the printed sizes */
  sink[9] = call_then_alloc(callback);
  sink[10] = malloc(1600);
  sink[12] = via_table(0, 1800);
  sink[13] = via_table(1, 1850);
  sink[14] = call_table_then_alloc(escaped, (void **)&sink[15]);
  sink[0] = malloc(1900);
  shadow_print_traces(1000);
  return 0;
}
#endif

// forward leaves the depth to its callers: no restore before its ret, and
// its call of leaf stays a tail call.
// FORWARD-LABEL: define internal {{.*}}ptr @forward(
// FORWARD: store ptr @__tm_site{{[.0-9]*}}
// FORWARD-NEXT: tail call {{.*}}ptr @leaf(
// FORWARD-NEXT: ret ptr
// FORWARD2-LABEL: define internal {{.*}}ptr @forward2(
// FORWARD2: tail call {{.*}}ptr @forward(
// FORWARD2-NEXT: ret ptr
// outer (external) sets its depth back after calling forward2, then
// restores its caller's before the ret.
// OUTER-LABEL: define dso_local {{.*}}ptr @outer(
// OUTER: %[[D:[0-9]+]] = load i32, ptr %[[SHADOW:[0-9]+]]
// OUTER-NEXT: %[[INNER:[0-9]+]] = add i32 %[[D]], 1
// OUTER: call {{.*}}ptr @forward2(
// OUTER-NEXT: store i32 %[[INNER]], ptr %[[SHADOW]]
// OUTER: call {{.*}}ptr @forward(
// OUTER-NEXT: store i32 %[[D]], ptr %[[SHADOW]]
// OUTER-NEXT: ret ptr
// A frame around a rare call of forward: popped by storing the old depth
// back (forward leaves its own), not by a decrement.
// RARE-LABEL: define internal {{.*}}ptr @rare(
// RARE: %[[D:[0-9]+]] = load i32, ptr %[[SHADOW:[0-9]+]]
// RARE: call {{.*}}ptr @forward(
// RARE-NEXT: store i32 %[[D]], ptr %[[SHADOW]]
// The callback's address is taken: it restores.
// CALLBACK-LABEL: define internal void @callback(
// CALLBACK: %[[D:[0-9]+]] = load i32, ptr %[[SHADOW:[0-9]+]]
// CALLBACK: call {{.*}}ptr @forward2(
// CALLBACK: store i32 %[[D]], ptr %[[SHADOW]]
// CALLBACK-NEXT: ret void

// TABLE-LABEL: define internal {{.*}}ptr @by_table_a(
// TABLE: tail call {{.*}}ptr @forward(
// TABLE-NEXT: ret ptr
// VIA-LABEL: define internal {{.*}}ptr @via_table(
// VIA: %[[F:[0-9]+]] = load ptr, ptr
// VIA: tail call {{.*}}ptr %[[F]](
// VIA-NEXT: ret ptr
// ESCAPED-LABEL: define internal {{.*}}ptr @escaped_fn(
// ESCAPED: %[[D:[0-9]+]] = load i32, ptr %[[SHADOW:[0-9]+]]
// ESCAPED: call {{.*}}ptr @forward(
// ESCAPED-NEXT: store i32 %[[D]], ptr %[[SHADOW]]
// ESCAPED-NEXT: ret ptr

// ASM-FORWARD-LABEL: <forward>:
// ASM-FORWARD-NOT: ret
// ASM-FORWARD: jmp {{.*}}<leaf>
// ASM-FORWARD2-LABEL: <forward2>:
// ASM-FORWARD2-NOT: ret
// ASM-FORWARD2: jmp {{.*}}<forward>

// CHECK:      size=1002 nframe=5 total=5
// CHECK-NEXT:   main callers-reset.c:97
// CHECK-NEXT:   outer callers-reset.c:90
// CHECK-NEXT:   forward2 callers-reset.c:59
// CHECK-NEXT:   forward callers-reset.c:58
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1011 nframe=4 total=4
// CHECK-NEXT:   main callers-reset.c:97
// CHECK-NEXT:   outer callers-reset.c:93
// CHECK-NEXT:   forward callers-reset.c:58
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1050 nframe=1 total=1
// CHECK-NEXT:   main callers-reset.c:98
// CHECK-NEXT: size=1100 nframe=2 total=2
// CHECK-NEXT:   main callers-reset.c:97
// CHECK-NEXT:   outer callers-reset.c:91
// CHECK-NEXT: size=1150 nframe=6 total=6
// CHECK-NEXT:   main callers-reset.c:99
// CHECK-NEXT:   depth_sum callers-reset.c:66
// CHECK-NEXT:   depth_sum callers-reset.c:66
// CHECK-NEXT:   depth_sum callers-reset.c:66
// CHECK-NEXT:   depth_sum callers-reset.c:63
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1200 nframe=3 total=3
// CHECK-NEXT:   main callers-reset.c:97
// CHECK-NEXT:   outer callers-reset.c:92
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1201 nframe=4 total=4
// CHECK-NEXT:   main callers-reset.c:100
// CHECK-NEXT:   rare callers-reset.c:71
// CHECK-NEXT:   forward callers-reset.c:58
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1402 nframe=5 total=5
// CHECK-NEXT:   main callers-reset.c:102
// CHECK-NEXT:   callback callers-reset.c:75
// CHECK-NEXT:   forward2 callers-reset.c:59
// CHECK-NEXT:   forward callers-reset.c:58
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1500 nframe=2 total=2
// CHECK-NEXT:   main callers-reset.c:100
// CHECK-NEXT:   rare callers-reset.c:72
// CHECK-NEXT: size=1550 nframe=1 total=1
// CHECK-NEXT:   main callers-reset.c:102
// CHECK-NEXT: size=1600 nframe=1 total=1
// CHECK-NEXT:   main callers-reset.c:103
// CHECK-NEXT: size=1708 nframe=4 total=4
// CHECK-NEXT:   main callers-reset.c:106
// CHECK-NEXT:   escaped_fn callers-reset.c:86
// CHECK-NEXT:   forward callers-reset.c:58
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1750 nframe=1 total=1
// CHECK-NEXT:   main callers-reset.c:106
// CHECK-NEXT: size=1804 nframe=5 total=5
// CHECK-NEXT:   main callers-reset.c:104
// CHECK-NEXT:   via_table callers-reset.c:82
// CHECK-NEXT:   by_table_a callers-reset.c:78
// CHECK-NEXT:   forward callers-reset.c:58
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1855 nframe=4 total=4
// CHECK-NEXT:   main callers-reset.c:105
// CHECK-NEXT:   via_table callers-reset.c:82
// CHECK-NEXT:   by_table_b callers-reset.c:79
// CHECK-NEXT:   leaf callers-reset.c:57
// CHECK-NEXT: size=1900 nframe=1 total=1
// CHECK-NEXT:   main callers-reset.c:107
// CHECK-NEXT: end
