/* SPDX-License-Identifier: MIT */
/* The C side of typed_test.cpp (see typed_cfuncs.h): each function that
 * takes a callback calls it from threads it makes itself, as a C library's
 * pool would. */
#include "typed_cfuncs.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char* color_name(tc_color c) {
  switch (c) {
    case TC_RED: return "red";
    case TC_GREEN: return "green";
    case TC_BLUE: return "blue";
  }
  return "?";
}

struct color_job {
  tc_color_cb cb;
  int per;
  long sum;
};

static void* color_thread(void* arg) {
  struct color_job* j = arg;
  static const tc_color cs[] = {TC_RED, TC_GREEN, TC_BLUE};
  for (int i = 0; i < j->per; i++) {
    tc_color c = cs[i % 3];
    j->sum += (long)j->cb(c, color_name(c));
  }
  return NULL;
}

long tc_run_color_cb(tc_color_cb cb, int nthreads, int per) {
  pthread_t th[16];
  struct color_job jobs[16];
  if (nthreads > 16) return -1;
  for (int i = 0; i < nthreads; i++) {
    jobs[i] = (struct color_job){cb, per, 0};
    if (pthread_create(&th[i], NULL, color_thread, &jobs[i]) != 0) return -1;
  }
  long sum = 0;
  for (int i = 0; i < nthreads; i++) {
    pthread_join(th[i], NULL);
    sum += jobs[i].sum;
  }
  return sum;
}

struct pool {
  pthread_mutex_t mu;
  tc_work_t* reqs;
  int n, next;
};

static void* pool_thread(void* arg) {
  struct pool* p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    int i = p->next < p->n ? p->next++ : -1;
    pthread_mutex_unlock(&p->mu);
    if (i < 0) return NULL;
    p->reqs[i].work_cb(&p->reqs[i]);
  }
}

int tc_queue_work(tc_work_t* reqs, int n, int nthreads) {
  pthread_t th[16];
  struct pool p = {PTHREAD_MUTEX_INITIALIZER, reqs, n, 0};
  if (nthreads > 16) return -1;
  for (int i = 0; i < n; i++) reqs[i].id = i;
  for (int i = 0; i < nthreads; i++)
    if (pthread_create(&th[i], NULL, pool_thread, &p) != 0) return -1;
  for (int i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
  return 0;
}

static tc_color pick_color(int i) { return i % 2 ? TC_GREEN : TC_BLUE; }

struct point_job {
  tc_point_cb cb;
  int per;
  long checked;
};

static void* point_thread(void* arg) {
  struct point_job* j = arg;
  tc_inner scale = {3.0f, {'s', 'c', 0}};
  for (int i = 0; i < j->per; i++) {
    tc_point p = {i, i / 2.0, {i * 0.25f, {'a', 'b', 0}}, "pt"};
    tc_point r = j->cb(p, &scale, pick_color);
    if (r.x != 2 * i || r.y != i / 2.0 + 1 || r.inner.a != i * 0.25f * 3.0f ||
        memcmp(r.inner.tag, "ba", 3) != 0 || r.label != p.label) {
      j->checked = -1;
      return NULL;
    }
    j->checked++;
  }
  return NULL;
}

long tc_run_point_cb(tc_point_cb cb, int nthreads, int per) {
  pthread_t th[16];
  struct point_job jobs[16];
  if (nthreads > 16) return -1;
  for (int i = 0; i < nthreads; i++) {
    jobs[i] = (struct point_job){cb, per, 0};
    if (pthread_create(&th[i], NULL, point_thread, &jobs[i]) != 0) return -1;
  }
  long total = 0;
  for (int i = 0; i < nthreads; i++) {
    pthread_join(th[i], NULL);
    if (jobs[i].checked < 0) total = -1;
    if (total >= 0) total += jobs[i].checked;
  }
  return total;
}

tc_color tc_mix(tc_color a, tc_color b) { return (tc_color)(a | b); }

tc_point tc_scale(tc_point p, int k) {
  p.x *= k;
  p.y *= k;
  p.inner.a *= (float)k;
  return p;
}

int tc_strsum(const char* s) {
  int n = 0;
  while (*s) n += (unsigned char)*s++;
  return n;
}

int tc_sumv(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}
