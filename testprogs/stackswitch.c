/* SPDX-License-Identifier: MIT */
/* C code that switches stacks between (and under) callbacks, as
 * coroutine libraries do: the regression of Go issue 62440 and friends. */
#define _GNU_SOURCE /* ucontext and MAP_ANONYMOUS */
#include "testprogs/stackswitch.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

static void (*g_cb)(void);
static __thread ucontext_t t_main;

static void on_stack(void) { g_cb(); }

static void run_on(ucontext_t* uc, void* stack, size_t size) {
  getcontext(uc);
  uc->uc_stack.ss_sp = stack;
  uc->uc_stack.ss_size = size;
  uc->uc_link = &t_main;
  makecontext(uc, on_stack, 0);
  swapcontext(&t_main, uc);
}

static void* switch_thread(void* arg) {
  (void)arg;
  ucontext_t uc1, uc2, uc3;
  g_cb(); /* the thread's own stack */
  size_t small = 64 * 1024;
  char* s1 = malloc(small);
  run_on(&uc1, s1, small);
  /* Allocate the second before freeing the first, so it is elsewhere. */
  char* s2 = malloc(small);
  free(s1);
  run_on(&uc2, s2, small);
  free(s2);
  size_t big = 8 << 20;
  void* s3 = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s3 != MAP_FAILED) {
    run_on(&uc3, s3, big);
    munmap(s3, big);
  }
  g_cb(); /* and its own stack again */
  return NULL;
}

int stackswitch_run(void (*cb)(void)) {
  g_cb = cb;
  pthread_t t;
  if (pthread_create(&t, NULL, switch_thread, NULL) != 0) return -1;
  pthread_join(t, NULL);
  return 0;
}

/* Many coroutines: each thread runs `coros` coroutines round-robin; each
 * calls back `calls` times, yielding to the thread's scheduler after every
 * call, so consecutive callbacks on a thread come from different stacks. */
struct sched {
  ucontext_t main;
  ucontext_t* coros;
  int ncoros;
  int calls;
  int current;
};

static __thread struct sched* t_sched;

static void coro_body(void) {
  struct sched* s = t_sched;
  /* volatile: swapcontext returns here like setjmp does. */
  for (volatile int i = 0; i < s->calls; i++) {
    g_cb();
    swapcontext(&s->coros[s->current], &s->main);
  }
}

static void* many_thread(void* arg) {
  struct sched* s = arg;
  t_sched = s;
  size_t size = 64 * 1024;
  char* stacks = malloc(size * (size_t)s->ncoros);
  s->coros = calloc((size_t)s->ncoros, sizeof(ucontext_t));
  /* volatile: getcontext and swapcontext return here like setjmp does. */
  for (volatile int i = 0; i < s->ncoros; i++) {
    getcontext(&s->coros[i]);
    s->coros[i].uc_stack.ss_sp = stacks + size * (size_t)i;
    s->coros[i].uc_stack.ss_size = size;
    s->coros[i].uc_link = &s->main;
    makecontext(&s->coros[i], coro_body, 0);
  }
  /* calls + 1 rounds: the last lets every coroutine return. */
  for (volatile int round = 0; round <= s->calls; round++)
    for (volatile int i = 0; i < s->ncoros; i++) {
      s->current = i;
      swapcontext(&s->main, &s->coros[i]);
    }
  free(s->coros);
  free(stacks);
  return NULL;
}

int stackswitch_many(void (*cb)(void), int threads, int coros, int calls) {
  g_cb = cb;
  pthread_t* ts = malloc(sizeof(pthread_t) * (size_t)threads);
  struct sched* ss = calloc((size_t)threads, sizeof(struct sched));
  int rc = 0;
  for (int i = 0; i < threads; i++) {
    ss[i].ncoros = coros;
    ss[i].calls = calls;
    if (pthread_create(&ts[i], NULL, many_thread, &ss[i]) != 0) rc = -1;
  }
  for (int i = 0; i < threads; i++) pthread_join(ts[i], NULL);
  free(ss);
  free(ts);
  return rc;
}

/* Called from managed code: swaps to another stack and calls back from
 * there, with the managed caller's frames still up the original stack. */
static ucontext_t under_main, under_co;

static void under_body(void) { g_cb(); }

void stackswitch_under_managed_frames(void (*cb)(void)) {
  g_cb = cb;
  size_t size = 256 * 1024;
  void* stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  getcontext(&under_co);
  under_co.uc_stack.ss_sp = stack;
  under_co.uc_stack.ss_size = size;
  under_co.uc_link = &under_main;
  makecontext(&under_co, under_body, 0);
  swapcontext(&under_main, &under_co);
  munmap(stack, size);
}
