// SPDX-License-Identifier: MIT
// The foreign side of callback_test: C code with threads and stacks of
// its own that calls back into managed code, in the OS's own terms
// (callback_test_windows.cpp: a Win32 thread pool, fibers, CreateThread;
// callback_test_linux.cpp: std::threads, ucontext coroutines). Each
// function blocks until its threads are done; managed code calls them
// through cbridge::call, so the calling task holds no P meanwhile.
#pragma once

extern "C" {

// Runs job(i) for i in [0, n) on a pool of at most 4 threads; returns once
// every job is submitted (not run): the jobs' callbacks say when they ran.
// Returns how many could not be submitted.
int cbt_pool_submit(void (*job)(int), int n);
// How many of the pool's threads have run a job so far.
int cbt_pool_threads();
// Waits for the pool's jobs and closes it.
void cbt_pool_close();

// On a new thread: makes `fibers` fibers (coroutines), each with a stack
// of its own, and runs them round-robin for `rounds` rounds; in each round
// every fiber calls cb(its index) once and switches back to the thread's
// scheduler, so consecutive callbacks come from different stacks; the
// first comes from fiber 0, not from the thread's own stack. Then it
// deletes the fibers, calls cb(-1) from the thread's own stack and ends.
void cbt_fibers(void (*cb)(int), int fibers, int rounds);

// On a new thread: cb(0) from the thread's own stack, then cb(1) from a
// fiber (a coroutine), and the thread ends while still on that fiber's
// stack (Windows: ExitThread from the fiber) or right after it switched
// back (Linux).
void cbt_exit_on_fiber(void (*cb)(int));
}
