/* SPDX-License-Identifier: MIT */
/* Preemption through the C API, as a C host uses it (#13): from main() or
 * from the host's own thread, tasks are started with cbridge_go; one spins
 * in cbridge_preemptible (or, in "coop" mode, in a loop calling
 * cbridge_checkpoint), another ticks with 1 ms sleeps, on one P
 * (CBRIDGE_MAXPROCS=1). The ticker must keep running while the spinner
 * spins: PASS when it ticked at least once per 50 ms of spinning.
 * Usage: fault_preempt_from_c main|thread async|coop */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop, spinnerDone, ticks;
static int coop;

static void spin(void *arg) {
  (void)arg;
  volatile unsigned long counter = 0;
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    counter = counter + 1;
    if (coop) cbridge_checkpoint();
  }
}

static void spinner(void *arg) {
  if (coop)
    spin(arg);
  else
    cbridge_preemptible(spin, arg);
  atomic_store(&spinnerDone, 1);
}

static void ticker(void *arg) {
  (void)arg;
  while (!atomic_load(&stop)) {
    cbridge_sleep_ns(1000000);
    atomic_fetch_add(&ticks, 1);
  }
}

static int64_t nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *host(void *arg) {
  int *ok = arg;
  if (cbridge_go(ticker, NULL) != 0 || cbridge_go(spinner, NULL) != 0) return NULL;
  usleep(20000); /* the spinner holds the P from here */
  int before = atomic_load(&ticks);
  int64_t start = nowMs();
  usleep(300000);
  int during = atomic_load(&ticks) - before;
  int64_t elapsed = nowMs() - start;
  atomic_store(&stop, 1);
  while (!atomic_load(&spinnerDone)) usleep(1000);
  uint64_t async = 0, cooperative = 0;
  cbridge_stat("preempt_async", &async);
  cbridge_stat("preempt_cooperative", &cooperative);
  fprintf(stderr, "%d ticks in %lld ms; preempt async %llu cooperative %llu\n", during,
          (long long)elapsed, (unsigned long long)async, (unsigned long long)cooperative);
  *ok = (int64_t)during * 50 >= elapsed && (coop ? cooperative : async) > 0;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  coop = strcmp(argv[2], "coop") == 0;
  int ok = 0;
  if (strcmp(argv[1], "thread") == 0) {
    pthread_t t;
    pthread_create(&t, NULL, host, &ok);
    pthread_join(t, NULL);
  } else {
    host(&ok);
  }
  puts(ok ? "PASS" : "FAIL");
  return 0;
}
