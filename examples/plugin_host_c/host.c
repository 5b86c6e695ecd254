/* SPDX-License-Identifier: MIT */
/* A plugin host in C99 with cbridge.h only: it dlopens a plugin, reads the
 * plugin's table of {symbol, signature}, binds each function by its
 * signature string into a prepared call (cbridge_fn_new: parsed once) and
 * calls it with cbridge_fn_call, from main() and from threads of its own. The host's API, which the plugin calls back, is
 * made of cbridge callbacks (cbridge_callback_new): their handlers run as
 * managed code, so they may park (cbridge_sleep_ns) while the plugin's
 * caller waits, whatever thread that is.
 *
 * Usage: example_plugin_host_c PLUGIN.so */
#define _POSIX_C_SOURCE 200809L /* pthreads under -std=c99 */
#include <cbridge/cbridge.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "plugin_api.h"

enum { THREADS = 4, JOBS = 100 };

/* ---- Binding: the one place that turns {symbol, signature} into a call:
 * a prepared call, whose signature is parsed once, here. */

struct binding {
  const char *symbol;
  cbridge_fn *fn;
};

static struct binding bindings[16];
static int nbindings;

/* bind_plugin binds every function of the plugin's table; -1 (and a
 * message) if the table or one of its symbols is missing. */
static int bind_plugin(cbridge_lib *lib) {
  const struct plugin_export *table = cbridge_lib_sym(lib, PLUGIN_EXPORTS_SYMBOL);
  if (table == NULL) {
    fprintf(stderr, "host: %s\n", cbridge_last_error());
    return -1;
  }
  for (nbindings = 0; table[nbindings].symbol != NULL; nbindings++) {
    struct binding *b = &bindings[nbindings];
    if (nbindings == (int)(sizeof bindings / sizeof bindings[0])) {
      fprintf(stderr, "host: the plugin exports too many functions\n");
      return -1;
    }
    b->symbol = table[nbindings].symbol;
    void *sym = cbridge_lib_sym(lib, b->symbol);
    b->fn = sym != NULL ? cbridge_fn_new(sym, table[nbindings].signature) : NULL;
    if (b->fn == NULL) {
      fprintf(stderr, "host: %s: %s\n", b->symbol, cbridge_last_error());
      return -1;
    }
  }
  return 0;
}

/* call_plugin calls the plugin's function symbol: args[i] points to the
 * i-th argument, the result goes to *ret. 0, or a cbridge error code (an
 * unknown symbol is CBRIDGE_ERR_ARGUMENT). */
static int call_plugin(const char *symbol, void *ret, void **args) {
  for (int i = 0; i < nbindings; i++)
    if (strcmp(bindings[i].symbol, symbol) == 0) {
      int rc = cbridge_fn_call(bindings[i].fn, ret, args);
      if (rc != 0) fprintf(stderr, "host: %s: %s\n", symbol, cbridge_last_error());
      return rc;
    }
  fprintf(stderr, "host: the plugin has no %s\n", symbol);
  return CBRIDGE_ERR_ARGUMENT;
}

/* ---- The host API, as cbridge callbacks. */

static long counter; /* __atomic: handlers run on many threads at once */

static void host_log(void *ret, void **args, void *user) {
  (void)ret;
  (void)user;
  printf("%s\n", *(const char **)args[0]);
}

static void host_counter_add(void *ret, void **args, void *user) {
  (void)user;
  long delta = *(long *)args[0];
  if (delta != 0) cbridge_sleep_ns(20000); /* a slow host service: the task parks */
  /* Relaxed: the total is read after the threads are joined. */
  *(long *)ret = __atomic_add_fetch(&counter, delta, __ATOMIC_RELAXED);
}

static void host_lookup(void *ret, void **args, void *user) {
  (void)user;
  int key = *(int *)args[0];
  double *out = *(double **)args[1];
  if (key < 0) {
    *(int *)ret = -1;
    return;
  }
  *out = key / 2.0;
  *(int *)ret = 0;
}

/* ---- Calls from the host's own threads. */

static void *worker(void *arg) {
  int t = (int)(intptr_t)arg;
  long bad = 0;
  for (int j = 0; j < JOBS; j++) {
    int job = t * JOBS + j, r = 0;
    void *args[] = {&job};
    if (call_plugin("plugin_work", &r, args) != 0 || r != job) bad++;
  }
  return (void *)(intptr_t)bad;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PLUGIN.so\n", argv[0]);
    return 2;
  }
  cbridge_lib *lib = cbridge_lib_open(argv[1]);
  if (lib == NULL) {
    fprintf(stderr, "host: %s\n", cbridge_last_error());
    return 1;
  }
  if (bind_plugin(lib) != 0) return 1;
  printf("bound %d plugin functions by their signatures\n", nbindings);

  cbridge_callback *cbs[3] = {
      cbridge_callback_new("void(const char*)", host_log, NULL),
      cbridge_callback_new("long(long)", host_counter_add, NULL),
      cbridge_callback_new("int(int, double*)", host_lookup, NULL),
  };
  for (int i = 0; i < 3; i++)
    if (cbs[i] == NULL) {
      fprintf(stderr, "host: %s\n", cbridge_last_error());
      return 1;
    }
  /* The callbacks' pointers are real C functions: the struct's members
   * get them through void*, as dlsym's results are (POSIX allows it). */
  struct host_api api;
  void *p;
  p = cbridge_callback_fn(cbs[0]);
  memcpy(&api.log, &p, sizeof p);
  p = cbridge_callback_fn(cbs[1]);
  memcpy(&api.counter_add, &p, sizeof p);
  p = cbridge_callback_fn(cbs[2]);
  memcpy(&api.lookup, &p, sizeof p);

  int failed = 0, rc = -1;
  const struct host_api *apip = &api;
  void *initArgs[] = {&apip};
  if (call_plugin("plugin_init", &rc, initArgs) != 0 || rc != 0) return 1;

  /* From main(): plain values, a pointer and a length, structs by value. */
  long a = 40, b = 2, sum = 0;
  void *addArgs[] = {&a, &b};
  failed |= call_plugin("plugin_add", &sum, addArgs) != 0 || sum != 42;
  double xs[] = {1, 2, 3, 4}, mean = 0;
  const double *xsp = xs;
  size_t n = 4;
  void *meanArgs[] = {&xsp, &n};
  failed |= call_plugin("plugin_mean", &mean, meanArgs) != 0 || mean != 2.5;
  struct {
    double x, y;
  } v = {1.5, -2}, scaled = {0, 0};
  double k = 4;
  void *scaleArgs[] = {&v, &k};
  failed |= call_plugin("plugin_scale", &scaled, scaleArgs) != 0 || scaled.x != 6 || scaled.y != -8;
  printf("from main: add(40, 2) = %ld, mean(1..4) = %g, scale({1.5, -2}, 4) = {%g, %g}\n", sum,
         mean, scaled.x, scaled.y);

  /* From the host's threads: each plugin_work calls the host back twice,
   * on that thread. */
  pthread_t threads[THREADS];
  long bad = 0;
  for (int t = 0; t < THREADS; t++)
    if (pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) != 0) return 1;
  for (int t = 0; t < THREADS; t++) {
    void *r;
    pthread_join(threads[t], &r);
    bad += (long)(intptr_t)r;
  }
  long want = (long)THREADS * JOBS * (THREADS * JOBS - 1) / 2;
  long total = __atomic_load_n(&counter, __ATOMIC_RELAXED);
  uint64_t callbacks = 0;
  cbridge_stat("callbacks", &callbacks);
  printf("%d threads x %d plugin_work calls: %ld wrong, host counter %ld (want %ld), "
         "%llu callbacks into the host\n",
         THREADS, JOBS, bad, total, want, (unsigned long long)callbacks);
  failed |= bad != 0 || total != want || callbacks < 2u * THREADS * JOBS;

  call_plugin("plugin_fini", NULL, NULL);
  for (int i = 0; i < 3; i++) cbridge_callback_free(cbs[i]);
  for (int i = 0; i < nbindings; i++) cbridge_fn_free(bindings[i].fn);
  if (cbridge_lib_close(lib) != 0) {
    fprintf(stderr, "host: %s\n", cbridge_last_error());
    failed = 1;
  }
  printf("%s\n", failed ? "FAIL" : "OK");
  return failed ? 1 : 0;
}
