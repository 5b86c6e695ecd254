/* SPDX-License-Identifier: MIT */
/* Task stacks under valgrind's memcheck (issue #11.20c): the runtime
 * registers each task stack (VALGRIND_STACK_REGISTER), so switching to
 * one is not taken for a huge stack frame and its accesses are not
 * reported. Tasks recurse a few KiB deep and park, C threads call a
 * callback whose handler parks; ctest runs this under
 * `valgrind --error-exitcode=9`, which must report nothing. Prints PASS.
 *
 * task_stacks_valgrind TASKS */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static atomic_int finished;

static int deep(int n) {
  volatile char frame[512];
  frame[0] = (char)n;
  if (n == 0) {
    cbridge_sleep_ns(100000);
    return frame[0];
  }
  return deep(n - 1) + frame[0];
}

static void task(void* arg) {
  int n = (int)(long)arg;
  if (deep(8) != 36) printf("wrong sum\n");
  (void)n;
  atomic_fetch_add(&finished, 1);
}

static void handler(void* ret, void** args, void* user) {
  (void)user;
  cbridge_sleep_ns(100000);
  *(int*)ret = deep(4) + *(int*)args[0];
}

static void* caller(void* fn) {
  for (int i = 0; i < 20; i++)
    if (((int (*)(int))fn)(i) != 10 + i) printf("wrong result\n");
  return NULL;
}

int main(int argc, char** argv) {
  int tasks = argc > 1 ? atoi(argv[1]) : 50;
  for (long i = 0; i < tasks; i++)
    if (cbridge_go(task, (void*)i) != CBRIDGE_OK) return 1;
  cbridge_callback* cb = cbridge_callback_new("int(int)", handler, NULL);
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, caller, cbridge_callback_fn(cb));
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  while (atomic_load(&finished) < tasks) usleep(1000);
  cbridge_callback_free(cb);
  printf("PASS\n");
  return 0;
}
