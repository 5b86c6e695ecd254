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
// exitsyscall gets the task a P again: its old one if sysmon did not
// retake it, else an idle one, else it queues the task and parks the M.
// The task may continue on another M.
void exitsyscall(M* m);

}  // namespace cbridge::rt
