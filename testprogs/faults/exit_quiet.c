/* SPDX-License-Identifier: MIT */
/* Returning from main() is immediate and quiet (issue #11.11).
 *
 * exit_quiet MODE: main returns while
 *   parked   10,000 tasks are parked for an hour;
 *   foreign  a task is in a C call that lasts an hour;
 *   cthread  a C thread is inside a callback whose handler sleeps an hour.
 * Exit must not wait for any of them (a hang ends in ctest's timeout) and
 * prints nothing unless CBRIDGE_DEBUG=shutdown. Prints "exiting". */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const int64_t kHour = 3600LL * 1000000000LL;

static void sleepAnHour(void* arg) {
  (void)arg;
  cbridge_sleep_ns(kHour);
}

static void longCall(void* arg) {
  (void)arg;
  unsigned secs = 3600;
  void* args[] = {&secs};
  unsigned left;
  cbridge_call((void*)sleep, "unsigned(unsigned)", &left, args);
}

static void sleepyHandler(void* ret, void** args, void* user) {
  (void)args;
  (void)user;
  cbridge_sleep_ns(kHour);
  *(int*)ret = 1;
}

/* Kept in a global: it is in use when the process exits (not a leak). */
cbridge_callback* cb; /* not static: a store the compiler keeps */
static int (*cbfn)(int);

static void* cthread(void* arg) {
  (void)arg;
  cbfn(1);
  return NULL;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "parked";
  if (strcmp(mode, "parked") == 0) {
    for (int i = 0; i < 10000; i++)
      if (cbridge_go(sleepAnHour, NULL) != 0) return 1;
  } else if (strcmp(mode, "foreign") == 0) {
    if (cbridge_go(longCall, NULL) != 0) return 1;
  } else if (strcmp(mode, "cthread") == 0) {
    cb = cbridge_callback_new("int(int)", sleepyHandler, NULL);
    if (cb == NULL) return 1;
    cbfn = (int (*)(int))cbridge_callback_fn(cb);
    pthread_t t;
    pthread_create(&t, NULL, cthread, NULL);
  } else {
    fprintf(stderr, "usage: exit_quiet parked|foreign|cthread\n");
    return 64;
  }
  usleep(50000); /* let them block: not a timing assertion, any delay passes */
  printf("exiting\n");
  return 0;
}
