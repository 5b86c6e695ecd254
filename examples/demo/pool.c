/* SPDX-License-Identifier: MIT */
/* A C thread pool in miniature: threads cbridge never created call a
 * handler, as the worker threads of libuv, OpenMP or a database do. */
#include <pthread.h>

#include "demo_c.h"

struct worker {
  pthread_t thread;
  int first, jobs;
  int (*handler)(int);
  long sum;
};

static void* work(void* arg) {
  struct worker* w = arg;
  for (int j = 0; j < w->jobs; j++) w->sum += w->handler(w->first + j);
  return NULL;
}

long pool_run(int threads, int jobs, int (*handler)(int job)) {
  struct worker ws[64];
  if (threads < 1 || threads > 64) return -1;
  int started = 0;
  for (; started < threads; started++) {
    struct worker* w = &ws[started];
    w->first = started * jobs;
    w->jobs = jobs;
    w->handler = handler;
    w->sum = 0;
    if (pthread_create(&w->thread, NULL, work, w) != 0) break;
  }
  long total = 0;
  for (int t = 0; t < started; t++) {
    pthread_join(ws[t].thread, NULL);
    total += ws[t].sum;
  }
  return started == threads ? total : -1;
}
