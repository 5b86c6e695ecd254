// SPDX-License-Identifier: MIT
// The OS layer: the few Linux calls the scheduler is built on.
#pragma once

#include <atomic>
#include <cstdint>

namespace cbridge::rt {

// Monotonic time in nanoseconds (CLOCK_MONOTONIC), the clock of every
// deadline and timer in the runtime.
int64_t nanotime();

// futexsleep blocks while *addr == val, for at most ns nanoseconds
// (ns < 0: no limit). It may return spuriously: callers re-check.
void futexsleep(std::atomic<uint32_t>* addr, uint32_t val, int64_t ns);
// futexwakeup wakes at most cnt threads sleeping on addr.
void futexwakeup(std::atomic<uint32_t>* addr, int cnt);

void osyield();
void usleep(uint32_t us);

// The number of CPUs this process may run on.
int getproccount();

// Thread id of the calling thread (gettid).
int gettid();

// The number of threads in the process now (/proc/self/stat), or -1 if it
// cannot be read.
int64_t threadcount();

}  // namespace cbridge::rt
