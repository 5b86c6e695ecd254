// SPDX-License-Identifier: MIT
// The OS's half of asynchronous preemption: how a preemptor interrupts an
// M's thread. On Linux, the preemption signal (SIGURG, as Go's
// sigPreempt): sending it, its handler (sigpreempt_linux.cpp,
// asyncpreempt_amd64_sysv.S), which decides with asyncpreempt_amd64.cpp's
// wantAsyncPreempt. On Windows, nothing yet (preempt_windows.cpp).
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// initPreemptSignal reads CBRIDGE_ASYNCPREEMPT and
// CBRIDGE_DEBUG=asyncpreemptoff and, on Linux, installs the handler once
// (chaining to one the host had).
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
// then sysmon also interrupts, each round, every M in foreign code
// (signalForeignMs, preempt.cpp), as a preemptor that ignored
// preemptExtLock would. Only tests that show what the handshake prevents
// (EINTR in foreign code) set it.
bool preemptWithoutHandshake();
// interruptWithoutHandshake is that preemptor's interruption of mp's
// thread: the signal on Linux, without the lock.
void interruptWithoutHandshake(M* mp);
}  // namespace cbridge::rt
