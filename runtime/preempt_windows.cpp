// SPDX-License-Identifier: MIT
// Preemption on Windows, for now: cooperative only. On Linux sysmon's
// preemptM sets the task's preempt flag (seen at the next runtime entry:
// a call, a channel operation, a yield) and also sends the preemption
// signal, whose handler stops a task looping in managed code at any
// instruction (sigpreempt_linux.cpp, asyncpreempt_amd64_sysv.S). Windows
// has no signals: its way is to SuspendThread the M, read and rewrite its
// context with GetThreadContext/SetThreadContext to call asyncPreempt
// (asyncpreempt_amd64_win64.S, written and tested), and ResumeThread, as
// Go's preemptM does on Windows. That is issue 18 part 4. Until then no
// signal is sent: preemptM sets the flag only, which is what Go does under
// GODEBUG=asyncpreemptoff=1, so a task in a loop with no runtime entry
// keeps its P until it makes one (preemptstats() counts no async
// preemptions).
#include "runtime/sigpreempt.hpp"

namespace cbridge::rt {

void initPreemptSignal() {}

// Nothing to signal: preemptM's flag stands alone, and the caller
// releases the M's preemptExtLock at once.
bool signalPreempt(M*) { return false; }

// Never a signal pending: none is ever sent.
void takeBlockedPreemptSignal(M*, uint64_t) {}

bool asyncPreemptEnabled() { return false; }

// CBRIDGE_DEBUG=preemptnolock has nothing to show without signals.
bool preemptWithoutHandshake() { return false; }
void interruptWithoutHandshake(M*) {}

}  // namespace cbridge::rt
