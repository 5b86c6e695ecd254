/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <time.h>

#include "_cgo_export.h"

void callGoOnce(void) { goEmpty(); }

struct loop {
  long n;
  double ns;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static void* run(void* p) {
  struct loop* l = p;
  goEmpty(); /* warm, as the cbridge side is */
  double a = now();
  for (long i = 0; i < l->n; i++) goEmpty();
  l->ns = (now() - a) / l->n;
  return NULL;
}

/* A thread Go did not create calls an exported Go function n times. */
double threadCallsGoNs(long n) {
  struct loop l = {n, 0};
  pthread_t t;
  pthread_create(&t, NULL, run, &l);
  pthread_join(t, NULL);
  return l.ns;
}
