/* SPDX-License-Identifier: MIT */
/* The C side of the demo: plain C that knows nothing of cbridge, as the
 * libraries a host program embeds. Each function takes a C function
 * pointer and calls it the way such libraries do: from threads of its own,
 * from inside a call, from coroutines on stacks of their own. */
#ifndef CBRIDGE_DEMO_C_H
#define CBRIDGE_DEMO_C_H

#ifdef __cplusplus
extern "C" {
#endif

/* pool_run starts `threads` pthreads; thread t calls handler(t * jobs + j)
 * for j in [0, jobs) and adds up the results. Returns the sum over all
 * threads once they have all finished, or -1 if a thread could not start. */
long pool_run(int threads, int jobs, int (*handler)(int job));

/* sum_calls returns f(0) + f(1) + ... + f(n - 1): C calling back into
 * whoever called it. */
long sum_calls(int (*f)(int), int n);

/* coroutines_run starts one pthread that runs `coros` ucontext coroutines
 * round-robin, each on its own malloc'd stack; each coroutine calls
 * f(coroutine index) `calls` times and switches back to the scheduler
 * after every call, so consecutive calls come from different stacks.
 * Returns the sum of f's results, or -1 if a thread, a stack or a context
 * could not be had. */
long coroutines_run(int coros, int calls, int (*f)(int coro));

#ifdef __cplusplus
}
#endif

#endif
