// SPDX-License-Identifier: MIT
// Running timer functions (the f of cbridge::Timer, Go's AfterFunc) on a
// pool of runner tasks instead of a fresh task each; the protocol is in
// timerfunc.cpp.
#pragma once

#include <cstdint>

namespace cbridge::rt {

struct G;

// timerfuncSubmit queues fn(arg) to run on a runner task, as if started
// by go(): it may block, and a blocked function never holds up the ones
// queued after it. Callable from anywhere (g0 of an M running timers, a
// task, a plain thread); it never blocks. False: the runtime was shut down
// and fn will never run (the caller still owns arg).
bool timerfuncSubmit(void (*fn)(void*), void* arg);

// The blocking hooks, for a task that runs a timer function
// (G::timerFunc): Waiter::park calls timerfuncParking on g0 just before
// the park's unlockf (the task is Waiting but nobody can wake it yet), and
// cgocall on the task before a foreign call; timerfuncResumed runs on the
// task once the park returned (or was cancelled), or the call did.
void timerfuncParking();
void timerfuncResumed();

struct TimerfuncStats {
  uint64_t runnersStarted;  // runner tasks ever started
  uint64_t funcsRun;        // functions started (counted as each begins)
};
TimerfuncStats timerfuncstats();

}  // namespace cbridge::rt
