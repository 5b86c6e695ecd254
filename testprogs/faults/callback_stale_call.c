/* SPDX-License-Identifier: MIT */
/* A call through a freed callback's pointer (issue #11.20): undefined,
 * but it must not silently run whichever callback libffi gave the
 * address to next. Freed closures are quarantined and trap, so the stale
 * call ends in "fatal error: a freed callback was called".
 *
 * callback_stale_call MODE: "reuse" makes other callbacks after the free
 * (as many as the quarantine holds, less one) before the stale call;
 * "plain" calls right after the free. Exits 0 if the stale call returns. */
#include <cbridge/cbridge.h>
#include <stdio.h>
#include <string.h>

static void addA(void* ret, void** args, void* user) {
  (void)user;
  *(int*)ret = 1000 + *(int*)args[0];
}

static void otherB(void* ret, void** args, void* user) {
  (void)user;
  *(double*)ret = *(double*)args[0] * 2;
}

int main(int argc, char** argv) {
  int reuse = argc > 1 && strcmp(argv[1], "reuse") == 0;
  cbridge_callback* a = cbridge_callback_new("int(int)", addA, NULL);
  int (*fa)(int) = (int (*)(int))cbridge_callback_fn(a);
  if (fa(1) != 1001) return 1;
  cbridge_callback_free(a);
  if (reuse) {
    /* Each new callback is freed at once, so libffi would hand out the
     * same few addresses again and again. */
    for (int i = 0; i < 1000; i++) {
      cbridge_callback* b = cbridge_callback_new("double(double)", otherB, NULL);
      if (cbridge_callback_fn(b) == (void*)fa) {
        printf("a new callback reused the freed one's address\n");
        return 1;
      }
      cbridge_callback_free(b);
    }
  }
  int r = fa(7);
  printf("the stale call returned %d\n", r);
  return 0;
}
