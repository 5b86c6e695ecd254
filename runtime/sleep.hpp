// SPDX-License-Identifier: MIT
// Parking the caller until a time (Go's timeSleep).
#pragma once

#include <cstdint>

namespace cbridge::rt {

// sleepUntil parks the calling task until nanotime() >= when; outside tasks
// it sleeps the thread.
void sleepUntil(int64_t when);

}  // namespace cbridge::rt
