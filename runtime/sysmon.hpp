// SPDX-License-Identifier: MIT
// sysmon: the monitor thread that runs without a P.
#pragma once

#include <cstdint>

namespace cbridge::rt {

void sysmonStart();
// coarsenanotime is nanotime as of sysmon's last round: at most 10 ms old
// (sysmon's slowest pace), and a relaxed load where nanotime is a clock
// read. What the dump's "waiting for" durations are measured with.
int64_t coarsenanotime();
// sysmonStop wakes sysmon and waits for its thread to end.
void sysmonStop();

// setRetakeThreshold sets how long a foreign call may hold its P before
// sysmon hands the P to another M (default 20 µs).
void setRetakeThreshold(int64_t ns);
// retakeCount is how many Ps sysmon took from Ms in foreign calls.
uint64_t retakeCount();

// setSysmonNetpollPeriod sets how often sysmon polls the network when no M
// does (default 10 ms, Go's). A safety net that hides a missed poll: tests
// of the scheduler's own polling turn it up to see through it.
void setSysmonNetpollPeriod(int64_t ns);

}  // namespace cbridge::rt
