/* SPDX-License-Identifier: MIT */
/* A C library as a C header presents one, for the typed conveniences'
 * tests (typed_test.cpp): an enum callback type, a libuv-like work
 * callback typedef, structs by value, const char* parameters, and
 * functions that call them from their own threads. Built as a shared
 * object that the tests link and also open with Library. */
#ifndef CBRIDGE_TESTS_TYPED_CFUNCS_H
#define CBRIDGE_TESTS_TYPED_CFUNCS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { TC_RED = 1, TC_GREEN = 2, TC_BLUE = 4 } tc_color;

/* next_color is a callback type with enum parameters and result. */
typedef tc_color (*tc_color_cb)(tc_color c, const char* name);

/* As libuv: typedef void (*uv_work_cb)(uv_work_t* req). */
typedef struct tc_work_s tc_work_t;
typedef void (*tc_work_cb)(tc_work_t* req);
struct tc_work_s {
  int id;
  long result;
  tc_work_cb work_cb;
};

typedef struct {
  float a;
  char tag[3];
} tc_inner;

typedef struct {
  int x;
  double y;
  tc_inner inner;
  const char* label;
} tc_point;

/* A callback that takes and returns structs by value, a const pointer and a
 * function pointer. */
typedef tc_point (*tc_point_cb)(tc_point p, const tc_inner* scale, tc_color (*pick)(int));

/* tc_run_color_cb calls cb(TC_RED..) nthreads*per times from nthreads new
 * threads, with the color's name; returns the sum of the results. */
long tc_run_color_cb(tc_color_cb cb, int nthreads, int per);

/* tc_queue_work runs each req's work_cb on a pool of nthreads threads (as
 * uv_queue_work does), req[i].id = i; returns 0 or -1. */
int tc_queue_work(tc_work_t* reqs, int n, int nthreads);

/* tc_run_point_cb calls cb from nthreads threads per times each, with
 * p = {i, i / 2.0, {i * 0.25f, "ab"}, "pt"} and checks each result is
 * {2x, y + 1, {a * scale->a, tag reversed "ba"}, label}; returns the
 * number of checked results, or -1 at the first wrong one. */
long tc_run_point_cb(tc_point_cb cb, int nthreads, int per);

/* Plain functions for typed calls (cbridge::call, Library::get). */
tc_color tc_mix(tc_color a, tc_color b);
tc_point tc_scale(tc_point p, int k);
int tc_strsum(const char* s);
int tc_sumv(int n, ...);

#ifdef __cplusplus
}
#endif

#endif
