/* SPDX-License-Identifier: MIT */
/* A coroutine's C code calls back deeper than the first callback's
 * estimate of its stack (issue #11.12, golang/go#68285's class): a
 * ucontext coroutine on a 1 MiB stack of its own calls a callback, whose
 * handler calls C that recurses 0, 64 and 200 KiB and calls back at the
 * bottom each time. The coroutine's stack is unknown to pthread, so its
 * bounds are an estimate around the first callback (32 KiB below); going
 * deeper on the same stack must refresh them, not die "out of bounds".
 * Prints PASS and the number of bound refreshes. */
#include <cbridge/cbridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "nested_c.h"

static int (*inner_fn)(int);
static int (*outer_fn)(int);
static int result;
static ucontext_t main_ctx, co_ctx;

static void inner(void* ret, void** args, void* user) {
  (void)user;
  *(int*)ret = *(int*)args[0] + 1;
}

static void outer(void* ret, void** args, void* user) {
  (void)user;
  int sum = 0;
  long depths[] = {0, 64, 200};
  for (int i = 0; i < 3; i++) {
    int r = 0;
    int x = *(int*)args[0];
    void* a[] = {&inner_fn, &x, &depths[i]};
    if (cbridge_call((void*)nested_call_at_depth, "int(void*, int, long)", &r, a) != 0) {
      fprintf(stderr, "cbridge_call: %s\n", cbridge_last_error());
      return;
    }
    sum += r;
  }
  *(int*)ret = sum;
}

static void coroutine(void) {
  result = outer_fn(1); /* each nested call returns 2 */
}

int main(void) {
  cbridge_callback* a = cbridge_callback_new("int(int)", outer, NULL);
  cbridge_callback* b = cbridge_callback_new("int(int)", inner, NULL);
  outer_fn = (int (*)(int))cbridge_callback_fn(a);
  inner_fn = (int (*)(int))cbridge_callback_fn(b);
  size_t size = 1 << 20;
  char* stack = malloc(size);
  getcontext(&co_ctx);
  co_ctx.uc_stack.ss_sp = stack;
  co_ctx.uc_stack.ss_size = size;
  co_ctx.uc_link = &main_ctx;
  makecontext(&co_ctx, coroutine, 0);
  swapcontext(&main_ctx, &co_ctx);
  printf("%s\n", result == 6 ? "PASS" : "FAIL");
  cbridge_callback_free(a);
  cbridge_callback_free(b);
  free(stack);
  return 0;
}
