// SPDX-License-Identifier: MIT
// The syscall state of a task in foreign code (Go's entersyscall and
// exitsyscall, proc.go).
#pragma once

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// Both take the calling M (getm()), which the caller already has.

// entersyscall marks the running task as in foreign code and lets go of its
// P without handing it to anyone: the M keeps it as oldp, and sysmon may
// retake it if the call lasts. Must be followed by exitsyscall on the same
// task.
void entersyscall(M* m);
// entersyscallRelease is entersyscall for an extra M whose callback
// returns to its thread's C code: the thread may be back in a moment with
// its next callback, or not for a long time. It keeps the P for the next
// callback only if nobody waits for one (see othersWait in syscall.cpp);
// else it hands the P off at once (Go's handoffp), as sysmon's retake
// would but without waiting for it. A thread calling callbacks in a loop never
// stays in one foreign call long enough to be retaken, and kept its P for
// good while run()'s task starved.
void entersyscallRelease(M* m);
// exitsyscall gets the task a P again: its old one if sysmon did not
// retake it, else an idle one, else it queues the task and parks the M.
// The task may continue on another M.
void exitsyscall(M* m);

}  // namespace cbridge::rt
