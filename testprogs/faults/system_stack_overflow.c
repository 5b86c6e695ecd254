/* SPDX-License-Identifier: MIT */
/* A foreign call overflows the system stack of its M (#11.14).
 *
 * system_stack_overflow WHERE KIB: C code called through cbridge_call
 * recurses with KIB-KiB frames (lowest byte touched first) until it runs
 * out of stack. WHERE is "task" (a task's foreign call: a runtime M's
 * pthread stack), "main" (a callback from main() whose handler makes the
 * call: the main thread's stack, an extra M) or "thread" (the same from a
 * new pthread with a 64 KiB guard: a thread's guard is its creator's
 * choice, and a 40 KiB frame without probes jumps glibc's default page into
 * whatever lies below). The process must die with "fatal error: stack overflow on
 * the system stack of M n" (exit 2), not a bare SIGSEGV. Built twice, as
 * task_stack_overflow is: with and without page probes
 * (system_stack_overflow_noprobe.c). Prints nothing if it works. */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deep_frames.h"

DEEP(1)
DEEP(40)

/* The foreign function: int(int). */
static int recurse(int kib) { return kib == 40 ? deep40(0) : deep1(0); }

static int kib;

static void foreign(void) {
  int ret = 0;
  void *args[] = {&kib};
  int rc = cbridge_call((void *)recurse, "int(int)", &ret, args);
  fprintf(stderr, "not reached: cbridge_call returned %d (%s)\n", rc, cbridge_last_error());
  _exit(1);
}

static void task(void *arg) {
  (void)arg;
  foreign();
}

static void handler(void *ret, void **args, void *user) {
  (void)ret, (void)args, (void)user;
  foreign();
}

static void *thread(void *arg) {
  ((void (*)(void))arg)();
  return NULL;
}

int main(int argc, char **argv) {
  kib = argc == 3 ? atoi(argv[2]) : 0;
  if (kib != 1 && kib != 40) {
    fprintf(stderr, "usage: system_stack_overflow task|main|thread 1|40\n");
    return 64;
  }
  if (strcmp(argv[1], "task") == 0) {
    cbridge_go(task, NULL);
    cbridge_sleep_ns(20LL * 1000000000);
  } else {
    cbridge_callback *cb = cbridge_callback_new("void(void)", handler, NULL);
    if (cb == NULL) {
      fprintf(stderr, "cbridge_callback_new: %s\n", cbridge_last_error());
      return 1;
    }
    void (*fn)(void) = (void (*)(void))cbridge_callback_fn(cb);
    if (strcmp(argv[1], "thread") == 0) {
      pthread_t t;
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setguardsize(&attr, 64 * 1024);
      pthread_create(&t, &attr, thread, (void *)fn);
      pthread_attr_destroy(&attr);
      pthread_join(t, NULL);
    } else {
      fn();
    }
  }
  fprintf(stderr, "not reached: the overflow did not end the process\n");
  return 1;
}
