// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG=schedtrace=MS: sysmon's one-line summary of the scheduler
// every MS milliseconds, and with scheddetail=1 a line per P, M and task
// (Go's schedtrace, proc.go).
#pragma once

#include <cstdint>

namespace cbridge::rt {

// schedtrace writes the summary, and with detailed every P, M and live
// task, to stderr. now and start are nanotime()s: now, and when the
// runtime started (the line's time is now - start). Only sysmon calls it:
// the callback rate is computed from its previous call.
void schedtrace(int64_t now, int64_t start, bool detailed);

}  // namespace cbridge::rt
