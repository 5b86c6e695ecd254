/* SPDX-License-Identifier: MIT */
/* The C side of the ctypes peer (ctypes_callback.py): a pthread this
 * library creates calls a Python callback (a ctypes CFUNCTYPE) once to
 * warm up, then n times; returns the ns per call of those n. */
#include <pthread.h>
#include <time.h>

struct loop {
  void (*cb)(void);
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
  l->cb();
  double a = now();
  for (long i = 0; i < l->n; i++) l->cb();
  l->ns = (now() - a) / l->n;
  return NULL;
}

double cthread_calls_ns(void (*cb)(void), long n) {
  struct loop l = {cb, n, -1};
  pthread_t t;
  if (pthread_create(&t, NULL, run, &l) != 0) return -1;
  pthread_join(t, NULL);
  return l.ns;
}
