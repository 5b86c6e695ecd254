/* SPDX-License-Identifier: MIT */
/* A C function that calls back into its caller: with the demo's task
 * calling it, each call of f is a nested callback (managed -> C ->
 * managed), run on the calling task. */
#include "demo_c.h"

long sum_calls(int (*f)(int), int n) {
  long sum = 0;
  for (int i = 0; i < n; i++) sum += f(i);
  return sum;
}
