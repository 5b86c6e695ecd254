/* SPDX-License-Identifier: MIT */
/* A plugin, written in C against cbridge.h only. It registers its
 * functions with the host by signature string; they run as managed code,
 * so they may sleep (park) without blocking the host's threads. */
#include <cbridge/cbridge.h>

#include <stdio.h>
#include <string.h>

typedef int (*register_fn)(const char* name, const char* signature, void* fn);

static void square(void* ret, void** args, void* user) {
  (void)user;
  long x = *(long*)args[0];
  *(long*)ret = x * x;
}

struct point {
  double x, y;
};

static void norm1(void* ret, void** args, void* user) {
  (void)user;
  struct point p = *(struct point*)args[0];
  cbridge_sleep_ns(100000); /* a slow plugin function: it parks, others run */
  *(double*)ret = (p.x < 0 ? -p.x : p.x) + (p.y < 0 ? -p.y : p.y);
}

static void greet(void* ret, void** args, void* user) {
  char* out = *(char**)args[0];
  size_t n = *(size_t*)args[1];
  snprintf(out, n, "hello from %s", (const char*)user);
  *(int*)ret = (int)strlen(out);
}

static cbridge_callback* cbs[3];

int plugin_init(register_fn reg) {
  cbs[0] = cbridge_callback_new("long(long)", square, NULL);
  cbs[1] = cbridge_callback_new("double(struct {double; double})", norm1, NULL);
  cbs[2] = cbridge_callback_new("int(char*, size_t)", greet, "the C plugin");
  for (int i = 0; i < 3; i++)
    if (cbs[i] == NULL) {
      fprintf(stderr, "plugin: %s\n", cbridge_last_error());
      return -1;
    }
  if (reg("square", "long(long)", cbridge_callback_fn(cbs[0])) != 0) return -1;
  if (reg("norm1", "double(struct {double; double})", cbridge_callback_fn(cbs[1])) != 0) return -1;
  if (reg("greet", "int(char*, size_t)", cbridge_callback_fn(cbs[2])) != 0) return -1;
  return 0;
}

void plugin_fini(void) {
  for (int i = 0; i < 3; i++) cbridge_callback_free(cbs[i]);
}
