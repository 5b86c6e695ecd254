/* SPDX-License-Identifier: MIT */
/* Returning from main() while C threads keep calling callbacks in (issue
 * #11, the fault suite): the process ends at once and quietly; a call that
 * arrives during exit waits until the process is gone (it never runs its
 * handler under destroyed state, never prints, never crashes).
 *
 * exit_with_callers N: N C threads loop calling a callback (its handler
 * parks for 50 µs every other call); main returns after 1,000 calls. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static atomic_long calls;
/* Kept in a global: it is in use when the process exits (not a leak). */
cbridge_callback* cb; /* not static: a store the compiler keeps */
static int (*cbfn)(int);

static void handler(void* ret, void** args, void* user) {
  (void)user;
  int x = *(int*)args[0];
  if (x & 1) cbridge_sleep_ns(50000);
  *(int*)ret = x + 1;
}

static void* caller(void* arg) {
  (void)arg;
  for (int i = 0;; i++) {
    if (cbfn(i) != i + 1) {
      fprintf(stderr, "wrong result\n");
      _exit(3);
    }
    atomic_fetch_add(&calls, 1);
  }
  return NULL;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 8;
  cb = cbridge_callback_new("int(int)", handler, NULL);
  if (cb == NULL) return 1;
  cbfn = (int (*)(int))cbridge_callback_fn(cb);
  for (int i = 0; i < n; i++) {
    pthread_t t;
    pthread_create(&t, NULL, caller, NULL);
  }
  while (atomic_load(&calls) < 1000) usleep(100);
  printf("exiting\n");
  return 0;
}
