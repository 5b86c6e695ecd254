/* SPDX-License-Identifier: MIT */
/* The C side of the nested-callback fault programs: C functions that call
 * back into managed code, as a C library does from inside a call. */
#include <time.h>

#include "nested_c.h"

int nested_call_through(int (*cb)(int), int x) { return cb(x); }

int nested_call_then_sleep(int (*cb)(int), int x, long ns) {
  int r = cb(x);
  struct timespec ts = {0, ns};
  nanosleep(&ts, NULL);
  return r;
}

/* Recurses depth_kib KiB deeper on the C stack, then calls back. */
__attribute__((noinline)) int nested_call_at_depth(int (*cb)(int), int x, long depth_kib) {
  volatile char frame[1000];
  frame[0] = 1;
  if (depth_kib > 0) return nested_call_at_depth(cb, x, depth_kib - 1) + frame[0] - 1;
  return cb(x);
}
