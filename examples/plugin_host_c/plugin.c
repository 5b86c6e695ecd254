/* SPDX-License-Identifier: MIT */
/* A plugin, in plain C: it knows nothing of cbridge. It lists its
 * functions with their signatures in plugin_exports; the host binds them
 * from that table and gives it the host API at plugin_init. Its functions
 * call the host back, from whatever thread the host called them on. */
#include <stddef.h>
#include <stdio.h>

#include "plugin_api.h"

struct vec2 {
  double x, y;
};

static const struct host_api *host;

int plugin_init(const struct host_api *api) {
  host = api;
  host->log("plugin: initialized");
  return 0;
}

long plugin_add(long a, long b) { return a + b; }

double plugin_mean(const double *xs, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += xs[i];
  return n ? s / (double)n : 0;
}

struct vec2 plugin_scale(struct vec2 v, double k) {
  struct vec2 r = {v.x * k, v.y * k};
  return r;
}

/* plugin_work does one job with the host's help: it adds the job to the
 * host's counter and looks the job up in the host's table. */
int plugin_work(int job) {
  double v = 0;
  host->counter_add(job);
  if (host->lookup(job, &v) != 0) return -1;
  return (int)(v * 2); /* the host's value for a job is job / 2.0 */
}

void plugin_fini(void) {
  char msg[64];
  snprintf(msg, sizeof msg, "plugin: done, counter at %ld", host->counter_add(0));
  host->log(msg);
}

const struct plugin_export plugin_exports[] = {
    {"plugin_init", "int(const void*)"},
    {"plugin_add", "long(long, long)"},
    {"plugin_mean", "double(const double*, size_t)"},
    {"plugin_scale", "struct {double; double}(struct {double; double}, double)"},
    {"plugin_work", "int(int)"},
    {"plugin_fini", "void(void)"},
    {NULL, NULL},
};
