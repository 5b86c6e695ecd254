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

// processwideBarrier makes every store any thread of the process made
// before the call visible to loads the caller makes after it, so that the
// other threads' side of a protocol needs no fence of its own (an
// asymmetric barrier: membarrier(2), private expedited). Where the kernel
// lacks it, a full fence and a 1 ms grace period for store buffers to
// drain stand in. Costs microseconds: for rare paths only.
void processwideBarrier();

}  // namespace cbridge::rt
