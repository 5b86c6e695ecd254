/* SPDX-License-Identifier: MIT */
/* A C host built against the installed package (C99, no C++ compiler):
 * calls C by signature, has a thread of its own call a callback, starts a
 * task. check.sh links it with `pkg-config --static --libs cbridge` against
 * libcbridge.a, which proves the .pc names everything the archive needs
 * (its C++ runtime included), and against libcbridge.so. */
#include <cbridge/cbridge.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int add(int a, int b) { return a + b; }

static void triple(void *ret, void **args, void *user) {
  (void)user;
  *(long *)ret = 3 * *(long *)args[0];
}

static void *caller(void *fn) {
  long (*f)(long);
  static long sum;
  long i;
  memcpy(&f, &fn, sizeof f);
  for (i = 1; i <= 100; i++) sum += f(i);
  return &sum;
}

static volatile int task_ran;
static void task(void *arg) {
  cbridge_sleep_ns(1000000);
  task_ran = *(int *)arg;
}

int main(void) {
  int a = 2, b = 40, r = 0, marker = 7;
  void *args[2];
  int (*addp)(int, int) = add;
  void *fn;
  cbridge_callback *cb;
  pthread_t t;
  void *res;
  uint64_t callbacks = 0;
  int i;

  args[0] = &a;
  args[1] = &b;
  memcpy(&fn, &addp, sizeof fn);
  if (cbridge_call(fn, "int(int, int)", &r, args) != CBRIDGE_OK || r != 42) {
    fprintf(stderr, "cbridge_call: %d, %s\n", r, cbridge_last_error());
    return 1;
  }
  cb = cbridge_callback_new("long(long)", triple, NULL);
  if (cb == NULL) {
    fprintf(stderr, "cbridge_callback_new: %s\n", cbridge_last_error());
    return 1;
  }
  pthread_create(&t, NULL, caller, cbridge_callback_fn(cb));
  pthread_join(t, &res);
  cbridge_callback_free(cb);
  if (*(long *)res != 3 * 5050) {
    fprintf(stderr, "callbacks summed %ld\n", *(long *)res);
    return 1;
  }
  if (cbridge_go(task, &marker) != CBRIDGE_OK) return 1;
  for (i = 0; i < 5000 && task_ran == 0; i++) cbridge_sleep_ns(1000000);
  cbridge_stat("callbacks", &callbacks);
  printf("c consumer: add=%d callbacks=%llu task=%d version=%s\n", r, (unsigned long long)callbacks,
         task_ran, cbridge_version_string());
  return task_ran == 7 && callbacks >= 100 ? 0 : 1;
}
