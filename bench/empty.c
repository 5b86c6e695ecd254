/* SPDX-License-Identifier: MIT */
/* The empty C function every call benchmark calls, in its own file so
 * that no call can be inlined. */
void cbridge_bench_empty(void) {}

/* Calls cb: the C side of every callback benchmark. */
void cbridge_bench_call_void_cb(void (*cb)(void)) { cb(); }
