// SPDX-License-Identifier: MIT
// The preemption signal (SIGURG, as Go's sigPreempt): sending it, its
// handler, and the asynchronous preemption it starts (sigpreempt_linux.cpp,
// asyncpreempt_amd64_sysv.S).
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// initPreemptSignal installs the handler once (chaining to one the host
// had) and reads CBRIDGE_ASYNCPREEMPT and CBRIDGE_DEBUG=asyncpreemptoff.
void initPreemptSignal();

// signalPreempt sends the preemption signal to mp's thread; false if there
// is nothing to signal (asynchronous preemption off: CBRIDGE_ASYNCPREEMPT=0
// or CBRIDGE_DEBUG=asyncpreemptoff, a ThreadSanitizer build, no xsave; or
// no thread id yet).
// The caller holds mp's preemptExtLock.
bool signalPreempt(M* mp);

// takeBlockedPreemptSignal, on m's own thread, removes the preemption
// signal if it is pending there and blocked, and acknowledges cycle: the
// handler will not run for it.
void takeBlockedPreemptSignal(M* m, uint64_t cycle);

// asyncPreemptEnabled says whether the signal may stop a task
// asynchronously (CBRIDGE_ASYNCPREEMPT, the CPU, the build).
bool asyncPreemptEnabled();

}  // namespace cbridge::rt

namespace cbridge::rt {
// preemptWithoutHandshake says whether CBRIDGE_DEBUG=preemptnolock is on:
// then sysmon also signals, each round, every M in foreign code
// (signalForeignMs), as a preemptor that ignored preemptExtLock would.
// Only the test that shows what the handshake prevents (EINTR in foreign
// code) sets it.
bool preemptWithoutHandshake();
void signalForeignMs();
}  // namespace cbridge::rt
