/* SPDX-License-Identifier: MIT */
/* The scheduler keeps one ucontext per coroutine and one for itself; a
 * coroutine runs until its next swapcontext back, so the scheduler and
 * the coroutines never run at the same time, and all of them run on the
 * one thread that called coro_run: its state needs no lock. */
#define _XOPEN_SOURCE 700 /* ucontext */
#include "coro.h"

#include <stdlib.h>
#include <ucontext.h>

struct sched {
  ucontext_t main;     /* the scheduler: coro_run's own stack */
  ucontext_t *coros;   /* one per coroutine, each on its own stack */
  int *done;           /* coroutine k finished */
  long (*cb)(long);
  int calls;
  int current;         /* the coroutine running now */
  long sum;
};

/* makecontext passes int arguments only: the scheduler is reached through
 * a thread-local pointer instead. */
static __thread struct sched *t_sched;

static void coro_body(void) {
  struct sched *s = t_sched;
  int k = s->current;
  /* volatile: swapcontext returns here as setjmp does. */
  for (volatile int i = 0; i < s->calls; i++) {
    s->sum += s->cb((long)k * s->calls + i);
    swapcontext(&s->coros[k], &s->main); /* yield: the next call is another stack's */
  }
  s->done[k] = 1; /* returning resumes uc_link, the scheduler */
}

long coro_run(long (*cb)(long), int ncoros, int calls, unsigned stack_size) {
  struct sched s = {0};
  s.cb = cb;
  s.calls = calls;
  s.coros = calloc((size_t)ncoros, sizeof *s.coros);
  s.done = calloc((size_t)ncoros, sizeof *s.done);
  char **stacks = calloc((size_t)ncoros, sizeof *stacks);
  long result = -1;
  if (s.coros == NULL || s.done == NULL || stacks == NULL) goto out;
  for (int k = 0; k < ncoros; k++) {
    stacks[k] = malloc(stack_size);
    if (stacks[k] == NULL) goto out;
    getcontext(&s.coros[k]);
    s.coros[k].uc_stack.ss_sp = stacks[k];
    s.coros[k].uc_stack.ss_size = stack_size;
    s.coros[k].uc_link = &s.main;
    makecontext(&s.coros[k], coro_body, 0);
  }
  t_sched = &s;
  for (int left = ncoros; left > 0;) {
    left = 0;
    for (int k = 0; k < ncoros; k++) {
      if (s.done[k]) continue;
      s.current = k;
      swapcontext(&s.main, &s.coros[k]);
      left += !s.done[k];
    }
  }
  t_sched = NULL;
  result = s.sum;
out:
  if (stacks != NULL)
    for (int k = 0; k < ncoros; k++) free(stacks[k]);
  free(stacks);
  free(s.done);
  free(s.coros);
  return result;
}
