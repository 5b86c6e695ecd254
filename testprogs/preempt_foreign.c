/* SPDX-License-Identifier: MIT */
/* Foreign code for the preemption scenarios (scenarios_preempt.cpp): C
 * that must never see the runtime's signal, and C that ends the process. */
#include "testprogs/preempt_foreign.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void foreign_sleep(int64_t ns, struct foreign_counts *c) {
  struct timespec req = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
  int64_t start = now_ns();
  if (nanosleep(&req, NULL) != 0 && errno == EINTR) c->eintr++;
  if (now_ns() - start < ns) c->short_sleeps++;
  c->sleeps++;
}

int foreign_read_sleep(int fd, int64_t sleep_ns, struct foreign_counts *c) {
  char b;
  ssize_t n = read(fd, &b, 1);
  if (n < 0 && errno == EINTR) c->eintr++;
  if (n == 1) c->reads++;
  foreign_sleep(sleep_ns, c);
  return (int)n;
}

void foreign_exit(int code) { exit(code); }

struct thread_call {
  void (*fn)(void);
  int64_t delay_ns;
};

static void *call_after(void *arg) {
  struct thread_call *tc = arg;
  struct timespec req = {(time_t)(tc->delay_ns / 1000000000), (long)(tc->delay_ns % 1000000000)};
  while (nanosleep(&req, &req) != 0 && errno == EINTR) {
  }
  tc->fn();
  return NULL;
}

int foreign_thread_calls(void (*fn)(void), int64_t delay_ns) {
  static struct thread_call tc;
  tc.fn = fn;
  tc.delay_ns = delay_ns;
  pthread_t t;
  if (pthread_create(&t, NULL, call_after, &tc) != 0) return -1;
  return pthread_detach(t);
}
