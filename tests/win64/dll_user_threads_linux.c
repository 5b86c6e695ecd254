/* SPDX-License-Identifier: MIT */
/* dll_user_threads.h with pthreads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "dll_user_threads.h"

struct start {
  void (*fn)(void *);
  void *arg;
};

static void *run(void *p) {
  struct start *s = p;
  s->fn(s->arg);
  return NULL;
}

void dut_run_threads(int n, void (*fn)(void *), void **args) {
  pthread_t threads[16];
  struct start starts[16];
  for (int i = 0; i < n; i++) {
    starts[i].fn = fn;
    starts[i].arg = args[i];
    if (pthread_create(&threads[i], NULL, run, &starts[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      exit(1);
    }
  }
  for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
}
