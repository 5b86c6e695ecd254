/* SPDX-License-Identifier: MIT */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

struct pool {
  pthread_mutex_t mu;
  int next;
  int jobs;
  void (*fn)(int);
};

static void* worker(void* arg) {
  struct pool* p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    int job = p->next < p->jobs ? p->next++ : -1;
    pthread_mutex_unlock(&p->mu);
    if (job < 0) return NULL;
    p->fn(job);
  }
}

int pool_map(int workers, int jobs, void (*fn)(int job)) {
  struct pool p = {PTHREAD_MUTEX_INITIALIZER, 0, jobs, fn};
  pthread_t* ts = malloc(sizeof(pthread_t) * (size_t)workers);
  int started = 0, rc = 0;
  for (; started < workers; started++)
    if (pthread_create(&ts[started], NULL, worker, &p) != 0) {
      rc = -1;
      break;
    }
  for (int i = 0; i < started; i++) pthread_join(ts[i], NULL);
  free(ts);
  return rc;
}
