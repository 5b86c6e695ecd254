// SPDX-License-Identifier: MIT
// Stopping tasks at exit (Go's freezetheworld): once a process has begun
// to exit no task runs again, so no task sees a static destroyed under it.
#pragma once

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// freezetheworld stops every M from running tasks: from now on an M that
// looks for work, returns from a foreign call or starts a callback parks
// for good (the process is ending). It waits a little for tasks running
// on other Ps to switch out, best effort as Go's is; a task that never
// yields keeps running. The exiting thread itself goes on (its exit
// handlers may call callbacks, which run on its own M). Idempotent.
void freezetheworld();

// frozen says whether freezetheworld ran. Acquire: an M that sees it also
// sees exitTid.
inline bool frozen() { return sched->frozen.load(std::memory_order_acquire); }

// freezeForDump is the half of freezetheworld that a signal handler may
// do: from now on no M starts running a task, so the stacks of parked
// tasks hold still while a dump reads them. It neither waits nor locks;
// the caller exits next. Not in a child of fork, nor before the runtime
// started.
void freezeForDump();

// onExitingThread says whether the caller is the thread that froze the
// world (the one running exit()).
bool onExitingThread();

// freezeM parks the calling M for good, giving back the P it holds so the
// exiting thread does not wait for it.
[[noreturn]] void freezeM(M* m);

// The exit sentinel: a thread_local whose destructor freezes the world.
// glibc runs the exiting thread's thread_local destructors first in
// exit(), before any atexit or static destructor (see freeze.cpp).
// armExitSentinel arms it on the calling thread; disarmExitSentinel before
// a thread ends normally (an M leaving at shutdown).
void armExitSentinel();
void disarmExitSentinel();

}  // namespace cbridge::rt
