// SPDX-License-Identifier: MIT
// The execution trace: what every task, thread and the scheduler did, with
// nanosecond times, as a file Perfetto (ui.perfetto.dev) or
// chrome://tracing opens. See the README, "Execution trace".
#pragma once

#include "cbridge/export.h"

namespace cbridge {

// trace_start begins recording an execution trace that trace_stop (or the
// process's exit) writes to path, as Chrome trace event JSON: a track per
// M and per task, with task creation, runs, parks (and their reasons) and
// wake-ups, foreign calls, callbacks (with the calling C thread),
// sysmon's retakes of Ps, netpoll waits and wake-ups, system-stack bound
// refreshes and preemptions. The environment variable CBRIDGE_TRACE=path
// does the same from the runtime's start. path is created (truncated) at
// once. Returns the codes of cbridge_trace_start (cbridge.h): 0; -errno
// when path cannot be opened; CBRIDGE_ERR_BUSY while a trace records;
// CBRIDGE_ERR_ARGUMENT for a null path.
CBRIDGE_EXPORT int trace_start(const char* path);

// trace_stop ends the trace and writes it (all of it: this takes a while
// for a long trace); 0, also when no trace records, or -errno when the
// file could not be written.
CBRIDGE_EXPORT int trace_stop();

}  // namespace cbridge
