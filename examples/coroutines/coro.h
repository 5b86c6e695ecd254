/* SPDX-License-Identifier: MIT */
/* A tiny C coroutine scheduler on ucontext, as C libraries write them. */
#ifndef EXAMPLE_CORO_H
#define EXAMPLE_CORO_H

#ifdef __cplusplus
extern "C" {
#endif

/* coro_run runs ncoros coroutines round-robin on the calling thread, each
 * on its own malloc'd stack of stack_size bytes. Coroutine k calls
 * cb(k * calls + i) for i in 0..calls-1 and yields to the scheduler after
 * every call, so consecutive calls come from different stacks. Returns
 * the sum of cb's results, or -1 if a stack could not be allocated. */
long coro_run(long (*cb)(long), int ncoros, int calls, unsigned stack_size);

#ifdef __cplusplus
}
#endif

#endif
