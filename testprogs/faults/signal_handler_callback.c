/* SPDX-License-Identifier: MIT */
/* Callbacks called from a signal handler (issue #11.6). From a handler
 * that interrupted a foreign call the callback nests in that call and may
 * even park; from one that interrupted the runtime (a parked callback's
 * thread, a running task) it is refused with a fatal error naming the
 * cause, never a SIGSEGV or a hang.
 *
 * signal_handler_callback MODE:
 *   foreign  a task's foreign call is interrupted; the handler's callback
 *            parks (sleeps) and returns: prints PASS
 *   foreign-onstack  the same with a handler on the alternate signal
 *            stack: fatal (the callback would run off the stack its
 *            foreign call is on)
 *   parked   a thread whose callback's task sleeps is interrupted: fatal
 *   task     a running task is interrupted (handler on the alternate
 *            stack): fatal */
#define _GNU_SOURCE
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int (*sig_fn)(int);
static atomic_int handled;
static atomic_int target_ready;
static pthread_t target;
static atomic_int stop;

static void sig_handler_body(void* ret, void** args, void* user) {
  (void)user;
  cbridge_sleep_ns(1000000); /* parks the callback's task */
  *(int*)ret = *(int*)args[0] * 2;
}

static void on_signal(int sig) {
  (void)sig;
  if (sig_fn(21) == 42) atomic_store(&handled, 1);
}

static void nap(long ns) {
  struct timespec ts = {0, ns};
  nanosleep(&ts, NULL);
}

/* foreign: a C function a task calls, spinning until the handler ran. */
static int spin_in_c(void) {
  target = pthread_self();
  atomic_store(&target_ready, 1);
  while (!atomic_load(&handled)) nap(100000);
  return 7;
}

static void task_calls_c(void* arg) {
  (void)arg;
  int r = 0;
  cbridge_call((void*)spin_in_c, "int(void)", &r, NULL);
  if (r == 7) atomic_store(&stop, 1);
}

/* task: a task that computes on its own stack until the end. */
static void task_spins(void* arg) {
  (void)arg;
  target = pthread_self();
  atomic_store(&target_ready, 1);
  for (volatile unsigned long i = 0; !atomic_load(&stop); i++) {
  }
}

/* parked: a thread whose callback's handler sleeps. */
static void long_sleep(void* ret, void** args, void* user) {
  (void)args, (void)user;
  atomic_store(&target_ready, 1);
  cbridge_sleep_ns(2000000000);
  *(int*)ret = 0;
}

static void* thread_parks(void* fn) {
  target = pthread_self();
  ((int (*)(int))fn)(0);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: signal_handler_callback foreign|foreign-onstack|parked|task\n");
    return 64;
  }
  cbridge_callback* cb = cbridge_callback_new("int(int)", sig_handler_body, NULL);
  sig_fn = (int (*)(int))cbridge_callback_fn(cb);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  const char* mode = argv[1];
  sa.sa_flags = strcmp(mode, "foreign") == 0 ? SA_RESTART : SA_ONSTACK | SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  if (strncmp(mode, "foreign", 7) == 0) {
    cbridge_go(task_calls_c, NULL);
  } else if (strcmp(mode, "task") == 0) {
    cbridge_go(task_spins, NULL);
  } else {
    cbridge_callback* sleeper = cbridge_callback_new("int(int)", long_sleep, NULL);
    pthread_t t;
    pthread_create(&t, NULL, thread_parks, cbridge_callback_fn(sleeper));
  }
  while (!atomic_load(&target_ready)) nap(100000);
  nap(10000000); /* let it reach the call, the spin or the park */
  pthread_kill(target, SIGUSR1);
  while (!atomic_load(&stop)) nap(100000);
  printf("%s\n", atomic_load(&handled) ? "PASS" : "FAIL");
  cbridge_callback_free(cb);
  return 0;
}
