// SPDX-License-Identifier: MIT
// What ThreadSanitizer builds cannot do: keep more than 8128 threads and
// fibers (every task is a fiber to it) at a time, or preempt by signal.
// The few tests that need either skip under it.
#pragma once

namespace cbridge_test {

#ifdef CBRIDGE_TSAN_BUILD
inline constexpr bool kTsanBuild = true;
#else
inline constexpr bool kTsanBuild = false;
#endif

inline constexpr const char* kTsanThreadLimit =
    "needs more threads or tasks than ThreadSanitizer tracks (8128)";

// ThreadSanitizer delivers a signal late, at its next interceptor, with a
// copy of the context: the preemption signal cannot redirect the thread,
// and cbridge builds with it preempt cooperatively only.
inline constexpr const char* kNoAsyncPreemptUnderTsan =
    "asynchronous preemption is off under ThreadSanitizer (it delivers signals late, with a copied "
    "context)";

}  // namespace cbridge_test
