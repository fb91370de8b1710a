// The dump at exit (TRACEMALLOC_DUMP) carries traced memory over time, from
// start-up to the dump: steps of at least a factor of 2 each make a point
// whatever the band's width, then the dump adds the size at exit. Its
// largest point is the peak.
//
// RUN: rm -rf %t && mkdir %t
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/out.tms %t/prog
// RUN: %tracemalloc export %t/out.tms --format json -o - | %python -c "import json, sys; t = json.load(sys.stdin)['timeline']; print([b for _, b in t], t[0][0], all(a[0] <= b[0] for a, b in zip(t, t[1:])))" | FileCheck %s
// CHECK: [0, 1000, 4000, 1000, 11000, 11000] 0.0 True
// RUN: %tracemalloc stats %t/out.tms | FileCheck --check-prefix=STATS %s
// STATS: size: 10.7 KiB (11000 bytes)
// STATS: timeline: 6 points over {{[0-9]+\.[0-9]+}} s, peak 10.7 KiB (11000 bytes) at {{[0-9]+\.[0-9]+}} s
#include <stdlib.h>

static void *volatile block[3];

int main(void) {
  block[0] = malloc(1000);
  block[1] = malloc(3000);
  free(block[1]);
  block[2] = malloc(10000);
  return 0;
}
