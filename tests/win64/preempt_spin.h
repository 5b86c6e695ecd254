/* SPDX-License-Identifier: MIT */
/* The code preempt_test lets the runtime interrupt: a module of its own
 * (preempt_spin.dll, libpreempt_spin.so), given to allow_preemption_in.
 * The test program links libcbridge statically (on Windows, as mingw-w64
 * does by default, with the C and C++ runtimes), so its executable is
 * never interruptible, and code meant to be interrupted lives here. */
#ifndef TESTS_WIN64_PREEMPT_SPIN_H
#define TESTS_WIN64_PREEMPT_SPIN_H

#include <stdint.h>

/* Imported, on Windows, so that &spin_until is the function's address in
 * the DLL, not that of the executable's import thunk. */
#if defined(_WIN32) && defined(PREEMPT_SPIN_BUILD)
#define SPIN_API __declspec(dllexport)
#elif defined(_WIN32)
#define SPIN_API __declspec(dllimport)
#else
#define SPIN_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* spin_until counts in a loop that makes no call until *stop is non-zero
 * or, looked at every 2^20 rounds through now(), the time passes
 * deadline; it returns the count. */
SPIN_API uint64_t spin_until(const volatile int *stop, int64_t (*now)(void), int64_t deadline);

/* regmix runs n rounds of a mix of 12 integer and 8 floating-point
 * accumulators with no call, so that they live in registers, and returns
 * a digest of them: the same n gives the same digest, however often the
 * loop was interrupted, if every register came back. */
SPIN_API uint64_t regmix(uint64_t n);

/* errkeep sets the thread's error state to v (errno; on Windows also
 * SetLastError), runs regmix(n), and returns whether the error state
 * still reads v: a task stopped in regmix and resumed on another thread
 * must find its own, as C code reading errno after a call expects. */
SPIN_API int errkeep(int v, uint64_t n);

#ifdef __cplusplus
}
#endif

#endif
