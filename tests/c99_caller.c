/* SPDX-License-Identifier: MIT */
/* Compiled as strict C99 (-std=c99 -Wall -Wextra -pedantic -Werror):
 * cbridge.h must be usable from C. Built twice: into cbridge_tests (the two
 * functions below, which gtest calls), and with CBRIDGE_C99_MAIN as a
 * program of its own (the ctest CApi.C99Program), linked against the
 * shared libcbridge.so with lazy binding as a C host links it, which calls
 * every function of cbridge.h, from main(), from tasks and from its own
 * pthreads, and exits 0 only if every check held. */
#define _POSIX_C_SOURCE 200809L
#include <cbridge/cbridge.h>

#include <string.h>

#include "tests/cfuncs.h"

int c99_call_add3(int a, int b, int c, int* out) {
  void* args[3];
  args[0] = &a;
  args[1] = &b;
  args[2] = &c;
  /* ISO C has no cast from a function pointer to void*: copy the bits. */
  int (*fp)(int, int, int) = add3;
  void* fn;
  memcpy(&fn, &fp, sizeof fn);
  return cbridge_call(fn, "int(int, int, int)", out, args);
}

/* The headers' version against the library's. */
int c99_version_matches(void) {
  const char* s = cbridge_version_string();
  return cbridge_version() == CBRIDGE_VERSION_HEX && s != NULL && s[0] != '\0';
}

#ifdef CBRIDGE_C99_MAIN
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Counted under a mutex: worker threads check too (C99 has no atomics). */
static int checks, failures;
static pthread_mutex_t countLock = PTHREAD_MUTEX_INITIALIZER;
static void count(int ok, const char* what, int line) {
  pthread_mutex_lock(&countLock);
  checks++;
  if (!ok) {
    failures++;
    fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: \"%s\")\n", __FILE__, line, what,
            cbridge_last_error());
  }
  pthread_mutex_unlock(&countLock);
}
#define CHECK(cond) count((cond) ? 1 : 0, #cond, __LINE__)

/* ISO C has no conversion between function and object pointers. */
#define VOIDP(dst, f)                          \
  do {                                         \
    void (*g_)(void) = (void (*)(void))(f);    \
    memcpy(&(dst), &g_, sizeof(dst));          \
  } while (0)

enum { kThreads = 4, kPerThread = 100 };

static cbridge_fn* addFn;         /* int add3(int, int, int), prepared */
static cbridge_callback* square;  /* int(int) -> x * x, run as managed code */
static cbridge_chan* results;     /* int, buffered */
static cbridge_waitgroup* wg;

static void squareHandler(void* ret, void** args, void* user) {
  int x = *(int*)args[0];
  (void)user;
  cbridge_checkpoint();
  *(int*)ret = x * x;
}

/* A C thread: prepared calls, calls by string, callbacks into managed
 * code, channel sends and a wait group, all from a thread the runtime
 * never made. */
static void* worker(void* p) {
  int id = (int)(long)p, i;
  int (*sq)(int);
  void* fnAdd3;
  void* sqp = cbridge_callback_fn(square);
  memcpy(&sq, &sqp, sizeof sq);
  VOIDP(fnAdd3, add3);
  for (i = 0; i < kPerThread; i++) {
    int a = id, b = i, c = 1, r = 0, r2 = 0, v;
    void* args[3];
    args[0] = &a;
    args[1] = &b;
    args[2] = &c;
    CHECK(cbridge_fn_call(addFn, &r, args) == CBRIDGE_OK && r == id + i + 1);
    CHECK(cbridge_call(fnAdd3, "int(int, int, int)", &r2, args) == CBRIDGE_OK && r2 == r);
    v = sq(i); /* a callback from a foreign thread */
    CHECK(v == i * i);
    CHECK(cbridge_chan_send(results, &v, -1) == CBRIDGE_OK);
  }
  CHECK(cbridge_waitgroup_done(wg) == CBRIDGE_OK);
  return NULL;
}

struct closed_wait {
  cbridge_chan* ch;
  int result;
};

static void* recvUntilClosed(void* p) {
  struct closed_wait* w = (struct closed_wait*)p;
  int v;
  w->result = cbridge_chan_recv(w->ch, &v, -1);
  return NULL;
}

static void taskAdds(void* p) {
  cbridge_waitgroup* g = (cbridge_waitgroup*)p;
  int one = 1;
  CHECK(cbridge_chan_send(results, &one, 1000000000) == CBRIDGE_OK);
  CHECK(cbridge_waitgroup_done(g) == CBRIDGE_OK);
}

static void inPreemptible(void* p) { *(int*)p += 1; }

/* The body of cbridge_run: what a task can do from C. */
static void mainTask(void* p) {
  int* ran = (int*)p, x = 7, sq = 0, v = 0, i, fds[2], regions = 0;
  int (*sqf)(int);
  void* args[1];
  void* callIntCb;
  void* cbfn = cbridge_callback_fn(square);
  cbridge_waitgroup* g = cbridge_waitgroup_new();
  cbridge_chan* empty = cbridge_chan_new(sizeof(int), 0);
  uint64_t n = 0;
  *ran = 1;
  /* Nested: task -> C (call_int_cb) -> callback -> back. */
  memcpy(&sqf, &cbfn, sizeof sqf);
  VOIDP(callIntCb, call_int_cb);
  {
    void* a2[2];
    a2[0] = &sqf;
    a2[1] = &x;
    CHECK(cbridge_call(callIntCb, "int(void*, int)", &sq, a2) == CBRIDGE_OK && sq == 49);
  }
  args[0] = &x;
  (void)args;
  CHECK(g != NULL && empty != NULL);
  CHECK(cbridge_waitgroup_add(g, 3) == CBRIDGE_OK);
  for (i = 0; i < 3; i++) CHECK(cbridge_go(taskAdds, g) == CBRIDGE_OK);
  CHECK(cbridge_waitgroup_wait(g) == CBRIDGE_OK);
  for (i = 0; i < 3; i++) CHECK(cbridge_chan_recv(results, &v, -1) == CBRIDGE_OK && v == 1);
  CHECK(cbridge_waitgroup_free(g) == CBRIDGE_OK);
  /* Timeouts from a task: try, then a short wait. */
  CHECK(cbridge_chan_recv(empty, &v, 0) == -EAGAIN);
  CHECK(cbridge_chan_recv(empty, &v, 1000000) == -ETIMEDOUT);
  CHECK(cbridge_chan_send(empty, &v, 0) == -EAGAIN);
  CHECK(cbridge_chan_send(empty, &v, 1000000) == -ETIMEDOUT);
  CHECK(cbridge_chan_free(empty) == CBRIDGE_OK);
  cbridge_sleep_ns(100000);
  cbridge_checkpoint();
  cbridge_preemptible(inPreemptible, &regions);
  CHECK(regions == 1);
  CHECK(cbridge_allow_preemption_in((const void*)&checks) == CBRIDGE_OK);
  CHECK(cbridge_current_m() >= 0);
  CHECK(cbridge_stat("callbacks", &n) == CBRIDGE_OK && n >= 1);
  CHECK(cbridge_stat("no such counter", &n) == CBRIDGE_ERR_ARGUMENT);
  /* The dump, into a file: it names the calling thread's task. */
  {
    FILE *f = tmpfile();
    char buf[4096];
    size_t got;
    CHECK(f != NULL);
    CHECK(cbridge_dump(-1) == CBRIDGE_ERR_ARGUMENT);
    CHECK(cbridge_dump(fileno(f)) == CBRIDGE_OK);
    rewind(f);
    got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    CHECK(strstr(buf, "task ") != NULL || strstr(buf, "no task") != NULL);
    fclose(f);
  }
  CHECK(pipe(fds) == 0);
  CHECK(cbridge_wait_fd(fds[1], CBRIDGE_WAIT_WRITE, -1) == 0);
  CHECK(cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, 1000000) == -ETIMEDOUT);
  CHECK(cbridge_wait_fd(fds[0], 99, 0) == CBRIDGE_ERR_ARGUMENT);
  close(fds[0]);
  close(fds[1]);
}

int main(void) {
  cbridge_config cfg;
  struct {
    cbridge_config c;
    uint64_t newer; /* a field of a later version of cbridge_config */
  } future;
  cbridge_lib *libm, *self;
  cbridge_fn* cosFn;
  void *cosp, *fnAdd3;
  double x = 1.0, r = 0;
  void* args[1];
  pthread_t th[kThreads];
  long i;
  int ran = 0, v, sum = 0, three = 3, a3 = 0;
  struct closed_wait cw;
  pthread_t waiter;

  CHECK(c99_version_matches());
  /* One error convention, with a text for every code. */
  CHECK(strcmp(cbridge_strerror(CBRIDGE_OK), "success") == 0);
  CHECK(strcmp(cbridge_strerror(CBRIDGE_ERR_CLOSED), "channel closed") == 0);
  CHECK(strcmp(cbridge_strerror(-ETIMEDOUT), strerror(ETIMEDOUT)) == 0);
  CHECK(strcmp(cbridge_strerror(-10999), "unknown error -10999") == 0);
  CHECK(CBRIDGE_ERR_RUNNING <= CBRIDGE_ERR_FIRST && CBRIDGE_ERR_RUNNING >= CBRIDGE_ERR_LAST);

  /* The config: out of range, too small, from a newer header. */
  cbridge_config_init(&cfg);
  CHECK(cfg.size == sizeof cfg && cfg.maxprocs == 0 && cfg.debug == 0);
  cfg.maxprocs = -1;
  CHECK(cbridge_init(&cfg) == CBRIDGE_ERR_ARGUMENT);
  cbridge_config_init(&cfg);
  cfg.size = 8;
  CHECK(cbridge_init(&cfg) == CBRIDGE_ERR_ARGUMENT);
  memset(&future, 0, sizeof future);
  cbridge_config_init(&future.c);
  future.c.size = sizeof future;
  future.newer = 1;
  CHECK(cbridge_init(&future.c) == CBRIDGE_ERR_ARGUMENT);
  future.newer = 0; /* unknown but zero: its default, accepted */
  future.c.maxprocs = 2;
  CHECK(cbridge_init(&future.c) == CBRIDGE_OK);
  CHECK(cbridge_init(NULL) == CBRIDGE_ERR_RUNNING);

  /* Libraries. */
  CHECK(cbridge_lib_open("libcbridge-no-such-library.so") == NULL);
  CHECK(strstr(cbridge_last_error(), "cannot load library") != NULL);
  libm = cbridge_lib_open("libm.so.6");
  CHECK(libm != NULL);
  cosp = cbridge_lib_sym(libm, "cos");
  CHECK(cosp != NULL);
  CHECK(cbridge_lib_sym(libm, "no_such_symbol_here") == NULL);
  CHECK(strstr(cbridge_last_error(), "no_such_symbol_here") != NULL);
  self = cbridge_lib_open(NULL);
  CHECK(self != NULL && cbridge_lib_sym(self, "cbridge_version") != NULL);
  CHECK(cbridge_lib_close(self) == CBRIDGE_OK);
  CHECK(cbridge_lib_close(NULL) == CBRIDGE_ERR_ARGUMENT);

  /* Prepared calls and calls by string, from main(). */
  cosFn = cbridge_fn_new(cosp, "double(double)");
  CHECK(cosFn != NULL);
  args[0] = &x;
  CHECK(cbridge_fn_call(cosFn, &r, args) == CBRIDGE_OK && r > 0.5403 && r < 0.5404);
  CHECK(cbridge_fn_call(cosFn, &r, NULL) == CBRIDGE_ERR_ARGUMENT);
  CHECK(cbridge_fn_call(NULL, &r, args) == CBRIDGE_ERR_ARGUMENT);
  CHECK(cbridge_fn_new(cosp, "double(double,, int)") == NULL);
  CHECK(strstr(cbridge_last_error(), "column") != NULL);
  CHECK(cbridge_fn_new(NULL, "void(void)") == NULL);
  CHECK(cbridge_call(cosp, "double(double)", &r, args) == CBRIDGE_OK && r > 0.5403);
  CHECK(cbridge_call(cosp, "double(", &r, args) == CBRIDGE_ERR_SIGNATURE);
  VOIDP(fnAdd3, add3);
  addFn = cbridge_fn_new(fnAdd3, "int(int, int, int)");
  CHECK(addFn != NULL);
  CHECK(c99_call_add3(1, 2, three, &a3) == CBRIDGE_OK && a3 == 6);

  /* A task, run from main() until it returns. */
  square = cbridge_callback_new("int(int)", squareHandler, NULL);
  CHECK(square != NULL && cbridge_callback_fn(square) != NULL);
  results = cbridge_chan_new(sizeof(int), 16);
  wg = cbridge_waitgroup_new();
  CHECK(results != NULL && wg != NULL);
  CHECK(cbridge_run(mainTask, &ran) == CBRIDGE_OK && ran == 1);
  CHECK(cbridge_run(NULL, NULL) == CBRIDGE_ERR_ARGUMENT);

  /* C threads, against main() receiving and waiting. */
  CHECK(cbridge_waitgroup_add(wg, kThreads) == CBRIDGE_OK);
  for (i = 0; i < kThreads; i++) CHECK(pthread_create(&th[i], NULL, worker, (void*)i) == 0);
  for (i = 0; i < kThreads * kPerThread; i++) {
    CHECK(cbridge_chan_recv(results, &v, -1) == CBRIDGE_OK);
    sum += v;
  }
  CHECK(cbridge_waitgroup_wait(wg) == CBRIDGE_OK);
  for (i = 0; i < kThreads; i++) pthread_join(th[i], NULL);
  CHECK(sum == kThreads * (kPerThread - 1) * kPerThread * (2 * kPerThread - 1) / 6);
  CHECK(cbridge_chan_len(results) == 0);
  CHECK(cbridge_waitgroup_done(wg) == CBRIDGE_ERR_RANGE); /* more done than add */
  CHECK(cbridge_waitgroup_free(wg) == CBRIDGE_OK);

  /* Close wakes a thread waiting to receive; values sent before it are
   * still received. */
  cw.ch = cbridge_chan_new(sizeof(int), 0);
  cw.result = 1;
  CHECK(pthread_create(&waiter, NULL, recvUntilClosed, &cw) == 0);
  CHECK(cbridge_chan_close(cw.ch) == CBRIDGE_OK);
  pthread_join(waiter, NULL);
  CHECK(cw.result == CBRIDGE_ERR_CLOSED);
  CHECK(cbridge_chan_close(cw.ch) == CBRIDGE_ERR_CLOSED);
  CHECK(cbridge_chan_send(cw.ch, &v, -1) == CBRIDGE_ERR_CLOSED);
  CHECK(cbridge_chan_free(cw.ch) == CBRIDGE_OK);
  v = 5;
  CHECK(cbridge_chan_send(results, &v, 0) == CBRIDGE_OK && cbridge_chan_close(results) == 0);
  CHECK(cbridge_chan_recv(results, &v, -1) == CBRIDGE_OK && v == 5);
  CHECK(cbridge_chan_recv(results, &v, -1) == CBRIDGE_ERR_CLOSED);
  CHECK(cbridge_chan_send(NULL, &v, 0) == CBRIDGE_ERR_ARGUMENT);
  CHECK(cbridge_chan_free(results) == CBRIDGE_OK);

  /* An execution trace, written to /dev/null; one at a time. */
  CHECK(cbridge_trace_start("/dev/null") == CBRIDGE_OK);
  CHECK(cbridge_trace_start("/dev/null") == CBRIDGE_ERR_BUSY);
  CHECK(cbridge_trace_stop() == CBRIDGE_OK);
  CHECK(cbridge_trace_stop() == CBRIDGE_OK);

  /* The end of the runtime. */
  CHECK(cbridge_shutdown() == CBRIDGE_OK);
  CHECK(cbridge_shutdown() == CBRIDGE_ERR_SHUTDOWN);
  CHECK(cbridge_run(mainTask, &ran) == CBRIDGE_ERR_SHUTDOWN);
  CHECK(cbridge_go(taskAdds, NULL) == CBRIDGE_ERR_SHUTDOWN);
  cbridge_callback_free(square);
  cbridge_fn_free(cosFn);
  cbridge_fn_free(addFn);
  CHECK(cbridge_lib_close(libm) == CBRIDGE_OK);
  printf("c99 C API: %d of %d checks passed\n", checks - failures, checks);
  return failures == 0 ? 0 : 1;
}
#endif
