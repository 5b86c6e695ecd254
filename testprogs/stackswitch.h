/* SPDX-License-Identifier: MIT */
/* C helpers of the stack-switching scenarios (testprogs/stackswitch.c). */
#ifndef TESTPROGS_STACKSWITCH_H
#define TESTPROGS_STACKSWITCH_H

#ifdef __cplusplus
extern "C" {
#endif

/* A new pthread calls cb from its own stack, from two 64 KiB malloc'd
 * stacks (the second allocated before the first is freed), from an 8 MiB
 * mmap'd stack, and from its own stack again: 5 calls. */
int stackswitch_run(void (*cb)(void));
/* threads × coros coroutines (ucontext, 64 KiB stacks), each calling cb
 * `calls` times, interleaved. */
int stackswitch_many(void (*cb)(void), int threads, int coros, int calls);
/* Swaps to another stack and calls cb from there. */
void stackswitch_under_managed_frames(void (*cb)(void));

#ifdef __cplusplus
}
#endif

#endif
