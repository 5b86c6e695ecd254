/* SPDX-License-Identifier: MIT */
/* Coroutines as C libraries make them (ucontext: makecontext and
 * swapcontext), each on a stack of its own, calling back between
 * switches. cbridge sees each callback arrive on a stack that is not the
 * thread's and not the last one's, and refreshes the thread's system-stack
 * bounds for it (stats().stack_bound_updates). */
#define _GNU_SOURCE /* ucontext */
#include <pthread.h>
#include <stdlib.h>
#include <ucontext.h>

#include "demo_c.h"

enum { kStackSize = 64 * 1024, kMaxCoros = 16 };

/* One scheduler per run, used by its one thread only. */
struct sched {
  ucontext_t main;
  ucontext_t coro[kMaxCoros];
  int ncoros, calls, current;
  int (*f)(int);
  long sum;
  int failed;
};

static struct sched* g_sched; /* the running scheduler, for the coroutine entry */

static void coro_body(void) {
  struct sched* s = g_sched;
  int me = s->current;
  /* volatile: swapcontext returns here as setjmp does. */
  for (volatile int i = 0; i < s->calls; i++) {
    s->sum += s->f(me);
    swapcontext(&s->coro[me], &s->main);
  }
}

static void* run(void* arg) {
  struct sched* s = arg;
  void* stacks[kMaxCoros] = {0};
  for (int c = 0; c < s->ncoros; c++) {
    stacks[c] = malloc(kStackSize);
    if (stacks[c] == NULL || getcontext(&s->coro[c]) != 0) {
      s->failed = 1;
      goto out;
    }
    s->coro[c].uc_stack.ss_sp = stacks[c];
    s->coro[c].uc_stack.ss_size = kStackSize;
    s->coro[c].uc_link = &s->main; /* a finished coroutine returns to main */
    makecontext(&s->coro[c], coro_body, 0);
  }
  /* Round-robin: every coroutine runs once per round; the last round
   * lets each finish. */
  for (int round = 0; round <= s->calls; round++) {
    for (int c = 0; c < s->ncoros; c++) {
      s->current = c;
      swapcontext(&s->main, &s->coro[c]);
    }
  }
out:
  for (int c = 0; c < s->ncoros; c++) free(stacks[c]);
  return NULL;
}

long coroutines_run(int coros, int calls, int (*f)(int coro)) {
  if (coros < 1 || coros > kMaxCoros) return -1;
  struct sched* s = calloc(1, sizeof *s);
  if (s == NULL) return -1;
  s->ncoros = coros;
  s->calls = calls;
  s->f = f;
  g_sched = s;
  pthread_t t;
  long result = -1;
  if (pthread_create(&t, NULL, run, s) == 0) {
    pthread_join(t, NULL);
    if (!s->failed) result = s->sum;
  }
  free(s);
  return result;
}
