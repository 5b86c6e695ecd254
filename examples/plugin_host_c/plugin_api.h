/* SPDX-License-Identifier: MIT */
/* The contract between the host and its plugins: plain C, nothing of
 * cbridge. A plugin exports a table of its functions, each with the C
 * prototype it has written as a signature string, and receives the host's
 * API as a struct of function pointers. */
#ifndef PLUGIN_API_H
#define PLUGIN_API_H

#include <stddef.h>

/* What the host offers a plugin (the host implements each as a cbridge
 * callback: they run as managed code and may park). */
struct host_api {
  void (*log)(const char *msg);         /* "void(const char*)" */
  long (*counter_add)(long delta);      /* "long(long)": the new total */
  int (*lookup)(int key, double *out);  /* "int(int, double*)": 0, or -1 for an unknown key */
};

/* One exported function: its symbol and its signature, in cbridge's
 * syntax (C prototypes without names). */
struct plugin_export {
  const char *symbol;
  const char *signature;
};

/* The table a plugin exports under this name, ended by {NULL, NULL}. */
#define PLUGIN_EXPORTS_SYMBOL "plugin_exports"

#endif
