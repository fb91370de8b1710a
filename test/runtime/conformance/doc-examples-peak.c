// The module documentation's "Record the current and peak size of all traced
// memory blocks": a sum computed with a large temporary array, then
// reset_peak() so that the peak of a second, small computation is seen on its
// own. In C the sizes are exact: nothing else allocates in between.
//
//   tracemalloc.start()
//   large_sum = sum(list(range(100000)))
//   first_size, first_peak = tracemalloc.get_traced_memory()
//   tracemalloc.reset_peak()
//   small_sum = sum(list(range(1000)))
//   second_size, second_peak = tracemalloc.get_traced_memory()
//   print(f"{first_size=}, {first_peak=}")
//   print(f"{second_size=}, {second_peak=}")
//
// RUN: %tmcc -O1 %s -o %t
// RUN: %t | FileCheck --match-full-lines %s
#include <stdio.h>
#include <stdlib.h>
#include <tracemalloc.h>

/* sum(list(range(n))): the list is a temporary array of n numbers. */
__attribute__((noinline)) static long long sum_of_list(long n) {
  long long *list = malloc((size_t)n * sizeof(*list));
  long long sum = 0;
  for (long i = 0; i < n; i++)
    list[i] = i;
  for (long i = 0; i < n; i++)
    sum += list[i];
  free(list);
  return sum;
}

/* What stays allocated, as in the doc; volatile, so that the optimizer
 * keeps the block (a block nobody uses is never allocated, so never
 * traced). */
static void *volatile kept;

int main(void) {
  tracemalloc_start(1);
  kept = malloc(664);

  long long large_sum = sum_of_list(100000);
  size_t first_size, first_peak;
  tracemalloc_get_traced_memory(&first_size, &first_peak);

  tracemalloc_reset_peak();

  long long small_sum = sum_of_list(1000);
  size_t second_size, second_peak;
  tracemalloc_get_traced_memory(&second_size, &second_peak);

  printf("large_sum=%lld, small_sum=%lld\n", large_sum, small_sum);
  printf("first_size=%zu, first_peak=%zu\n", first_size, first_peak);
  printf("second_size=%zu, second_peak=%zu\n", second_size, second_peak);
  free(kept);
  return 0;
}
// CHECK:      large_sum=4999950000, small_sum=499500
// CHECK-NEXT: first_size=664, first_peak=800664
// CHECK-NEXT: second_size=664, second_peak=8664
// CHECK-NOT:  {{.}}
