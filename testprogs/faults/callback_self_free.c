/* SPDX-License-Identifier: MIT */
/* One-shot callbacks that free themselves from their own handler, a
 * common C idiom (issue #11.19): it works, and is reported once per
 * process, not once per free (CBRIDGE_DEBUG=callbacks reports each).
 *
 * callback_self_free N WHERE: N callbacks, each called once, from main()
 * (WHERE "main") or from a new thread each (WHERE "thread"). Prints PASS. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct once {
  cbridge_callback* self;
  int got;
};

static void handler(void* ret, void** args, void* user) {
  (void)ret;
  struct once* o = user;
  o->got = *(int*)args[0];
  cbridge_callback_free(o->self); /* the call is in flight */
}

static void* call(void* p) {
  struct once* o = p;
  ((void (*)(int))cbridge_callback_fn(o->self))(7);
  return NULL;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000;
  int threads = argc > 2 && strcmp(argv[2], "thread") == 0;
  long bad = 0;
  for (long i = 0; i < n; i++) {
    struct once o = {NULL, 0};
    o.self = cbridge_callback_new("void(int)", handler, &o);
    if (o.self == NULL) {
      printf("cbridge_callback_new: %s\n", cbridge_last_error());
      return 1;
    }
    if (threads) {
      pthread_t t;
      pthread_create(&t, NULL, call, &o);
      pthread_join(t, NULL);
    } else {
      call(&o);
    }
    if (o.got != 7) bad++;
  }
  printf(bad == 0 ? "PASS\n" : "FAIL\n");
  return bad != 0;
}
