// SPDX-License-Identifier: MIT
// The OS's half of asynchronous preemption: how a preemptor interrupts an
// M's thread. On Linux, the preemption signal (SIGURG, as Go's
// sigPreempt): sending it, its handler (sigpreempt_linux.cpp,
// asyncpreempt_amd64_sysv.S). On Windows, SuspendThread and a rewritten
// context (preempt_windows.cpp, asyncpreempt_amd64_win64.S). Both decide
// with asyncpreempt_amd64.cpp's wantAsyncPreempt.
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// initPreemptSignal reads CBRIDGE_ASYNCPREEMPT and
// CBRIDGE_DEBUG=asyncpreemptoff and, on Linux, installs the handler once
// (chaining to one the host had).
void initPreemptSignal();

// signalPreempt interrupts mp's thread: it returns true if the cycle that
// holds mp's preemptExtLock is, or will be, acknowledged in
// mp->preemptAck (Linux: the signal was sent, and its handler will; on
// Windows the thread was suspended, looked at and resumed, and it was
// acknowledged before the return); false if nothing was sent
// (asynchronous preemption off: CBRIDGE_ASYNCPREEMPT=0 or
// CBRIDGE_DEBUG=asyncpreemptoff, a ThreadSanitizer build, no xsave; or no
// thread id yet). The caller holds mp's preemptExtLock.
bool signalPreempt(M* mp);

// preemptStopForExit is called by the exiting thread (freezetheworld)
// before the process ends: on Windows no thread is suspended after it,
// so that ExitProcess cannot race a SuspendThread (see
// preempt_windows.cpp). Nothing on Linux, whose exit_group ends every
// thread at once.
void preemptStopForExit();

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
// set it (EINTR in foreign code on Linux; on Windows foreign code is then
// suspended, the seed's hazard).
bool preemptWithoutHandshake();
// interruptWithoutHandshake is that preemptor's interruption of mp's
// thread: the signal on Linux, a suspension on Windows, without the lock.
void interruptWithoutHandshake(M* mp);
}  // namespace cbridge::rt
