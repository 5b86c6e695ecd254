/* SPDX-License-Identifier: MIT */
/* dll_user_test's threads: OS threads of the program's own, which the
 * runtime never made (dll_user_threads_windows.c: CreateThread;
 * dll_user_threads_linux.c: pthreads). */
#ifndef DLL_USER_THREADS_H
#define DLL_USER_THREADS_H

/* Runs fn(args[i]) for i in [0, n) on n new threads, at once, and
 * returns when every one has ended. n is at most 16. */
void dut_run_threads(int n, void (*fn)(void *), void **args);

#endif
