/* SPDX-License-Identifier: MIT */
#ifndef NESTED_C_H
#define NESTED_C_H
#ifdef __cplusplus
extern "C" {
#endif
int nested_call_through(int (*cb)(int), int x);
int nested_call_then_sleep(int (*cb)(int), int x, long ns);
int nested_call_at_depth(int (*cb)(int), int x, long depth_kib);
#ifdef __cplusplus
}
#endif
#endif
