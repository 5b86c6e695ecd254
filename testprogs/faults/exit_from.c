/* SPDX-License-Identifier: MIT */
/* exit() from anywhere while callbacks are in flight ends the process at
 * once, quietly, without a hang or a crash (issue #11, the fault suite).
 *
 * exit_from WHERE: 4 C threads loop calling a callback whose handler
 * parks (sleeps 100 µs); once 100 calls have returned, exit(7) is called
 *   foreign   from a C function a task calls (cbridge_call);
 *   task      from a task;
 *   callback  from the handler of one of the C threads' callbacks;
 *   main      from main.
 * Exits with status 7 and an empty stderr. Run it 200 times by hand with
 * check.sh --repeat 200 (the fault_stress target). */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_long calls;
static atomic_int exitFromCallback;
/* Kept in a global: it is in use when the process exits (not a leak). */
cbridge_callback* cb; /* not static: a store the compiler keeps */
static int (*cbfn)(int);

static void handler(void* ret, void** args, void* user) {
  (void)user;
  if (atomic_load(&exitFromCallback) && atomic_load(&calls) >= 100) exit(7);
  cbridge_sleep_ns(100000);
  *(int*)ret = *(int*)args[0] + 1;
}

static void* caller(void* arg) {
  (void)arg;
  for (;;) {
    cbfn(1);
    atomic_fetch_add(&calls, 1);
  }
  return NULL;
}

static void exitWith7(void) { exit(7); }

static void exitInForeignCall(void* arg) {
  (void)arg;
  cbridge_call((void*)exitWith7, "void(void)", NULL, NULL);
}

static void exitInTask(void* arg) {
  (void)arg;
  exit(7);
}

int main(int argc, char** argv) {
  const char* where = argc > 1 ? argv[1] : "task";
  cb = cbridge_callback_new("int(int)", handler, NULL);
  if (cb == NULL) return 1;
  cbfn = (int (*)(int))cbridge_callback_fn(cb);
  if (strcmp(where, "callback") == 0) atomic_store(&exitFromCallback, 1);
  for (int i = 0; i < 4; i++) {
    pthread_t t;
    pthread_create(&t, NULL, caller, NULL);
  }
  while (atomic_load(&calls) < 100) usleep(100);
  if (strcmp(where, "foreign") == 0) {
    cbridge_go(exitInForeignCall, NULL);
  } else if (strcmp(where, "task") == 0) {
    cbridge_go(exitInTask, NULL);
  } else if (strcmp(where, "main") == 0) {
    exit(7);
  } else if (strcmp(where, "callback") != 0) {
    fprintf(stderr, "usage: exit_from foreign|task|callback|main\n");
    return 64;
  }
  for (;;) pause();
}
