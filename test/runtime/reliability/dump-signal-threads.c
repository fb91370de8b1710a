// TRACEMALLOC_DUMP_SIGNAL with another thread allocating meanwhile: each
// snapshot is one consistent cut of the live set at its signal. The main
// thread holds a block of its round's size around raise(SIGUSR1); a worker
// fills a ring of 8 blocks of 100 bytes, then frees the oldest before each
// new one, so any consistent cut holds 7 or 8 of them.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 -pthread %s -o %t.prog
// RUN: cd %t && env TRACEMALLOC_DUMP=round.tms TRACEMALLOC_DUMP_SIGNAL=USR1 TRACEMALLOC_UNINSTRUMENTED=0 %t.prog
// RUN: ls %t | FileCheck --check-prefix=FILES %s
// RUN: cd %t && for i in $(seq 1 20); do echo "round.$i.tms:" $(%tracemalloc stats round.$i.tms --include '*dump-signal-threads.c:86' | grep -E '^(traces|size):'); done | FileCheck %s
// RUN: cd %t && for i in $(seq 1 20); do echo "round.$i.tms:" $(%tracemalloc stats round.$i.tms --include '*dump-signal-threads.c:73' | grep -E '^(traces|size):'); done | FileCheck --check-prefix=WORKER %s
// RUN: cd %t && for i in $(seq 1 20); do %tracemalloc stats round.$i.tms --exclude '*dump-signal-threads.c:86' --exclude '*dump-signal-threads.c:73' | grep '^traces:'; done | FileCheck --check-prefix=OTHERS %s
//
// FILES-COUNT-21: round.{{([0-9]+\.)?}}tms
// FILES-NOT:      {{.}}
// CHECK:      round.1.tms: traces: 1 size: 1028 KiB (1052672 bytes)
// CHECK-NEXT: round.2.tms: traces: 1 size: 1032 KiB (1056768 bytes)
// CHECK-NEXT: round.3.tms: traces: 1 size: 1036 KiB (1060864 bytes)
// CHECK-NEXT: round.4.tms: traces: 1 size: 1040 KiB (1064960 bytes)
// CHECK-NEXT: round.5.tms: traces: 1 size: 1044 KiB (1069056 bytes)
// CHECK-NEXT: round.6.tms: traces: 1 size: 1048 KiB (1073152 bytes)
// CHECK-NEXT: round.7.tms: traces: 1 size: 1052 KiB (1077248 bytes)
// CHECK-NEXT: round.8.tms: traces: 1 size: 1056 KiB (1081344 bytes)
// CHECK-NEXT: round.9.tms: traces: 1 size: 1060 KiB (1085440 bytes)
// CHECK-NEXT: round.10.tms: traces: 1 size: 1064 KiB (1089536 bytes)
// CHECK-NEXT: round.11.tms: traces: 1 size: 1068 KiB (1093632 bytes)
// CHECK-NEXT: round.12.tms: traces: 1 size: 1072 KiB (1097728 bytes)
// CHECK-NEXT: round.13.tms: traces: 1 size: 1076 KiB (1101824 bytes)
// CHECK-NEXT: round.14.tms: traces: 1 size: 1080 KiB (1105920 bytes)
// CHECK-NEXT: round.15.tms: traces: 1 size: 1084 KiB (1110016 bytes)
// CHECK-NEXT: round.16.tms: traces: 1 size: 1088 KiB (1114112 bytes)
// CHECK-NEXT: round.17.tms: traces: 1 size: 1092 KiB (1118208 bytes)
// CHECK-NEXT: round.18.tms: traces: 1 size: 1096 KiB (1122304 bytes)
// CHECK-NEXT: round.19.tms: traces: 1 size: 1100 KiB (1126400 bytes)
// CHECK-NEXT: round.20.tms: traces: 1 size: 1104 KiB (1130496 bytes)
// WORKER:      round.1.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.2.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.3.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.4.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.5.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.6.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.7.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.8.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.9.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.10.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.11.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.12.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.13.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.14.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.15.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.16.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.17.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.18.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.19.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// WORKER-NEXT: round.20.tms: traces: {{7 size: 700 B \(700 bytes\)|8 size: 800 B \(800 bytes\)}}
// OTHERS-COUNT-20: traces: 0
// OTHERS-NOT:      {{.}}
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#define RING 8

static void *volatile held;
static void *volatile ring[RING];
static _Atomic int started, stop;

static void *worker(void *arg) {
  (void)arg;
  for (unsigned i = 0; !stop; i++) {
    free(ring[i % RING]);
    ring[i % RING] = malloc(100);
    if (i == 2 * RING)
      started = 1;
  }
  return NULL;
}

int main(void) {
  pthread_t thread;
  pthread_create(&thread, NULL, worker, NULL);
  while (!started)
    ;
  for (int round = 1; round <= 20; round++) {
    held = malloc((1 << 20) + round * 4096);
    raise(SIGUSR1);
    free(held);
  }
  stop = 1;
  pthread_join(thread, NULL);
  for (int i = 0; i < RING; i++)
    free(ring[i]);
  return 0;
}
