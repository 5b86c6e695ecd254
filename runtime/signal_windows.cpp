// SPDX-License-Identifier: MIT
// Faults on Windows, for now: the runtime installs no handler. On Linux
// (signal_unix.cpp) a SIGSEGV/SIGBUS handler, on a per-M alternate signal
// stack, tells a task stack's (or an M's system stack's) overflow into
// its guard region from any other fault, reports it as "fatal error:
// stack overflow" with the task's traceback, and passes other faults on;
// the unexpected-signal report is also Linux's. Windows' counterpart, a
// vectored exception handler for EXCEPTION_ACCESS_VIOLATION and
// EXCEPTION_STACK_OVERFLOW, is left for a later step of issue 18. What
// the runtime does without it: nothing of its own. A fault, a task
// stack's overflow into its guard included (the guard is still there:
// sysFault makes it PAGE_NOACCESS), goes to the process's unhandled
// exception filter, and the process ends as any program's would (Wine
// prints the exception and a backtrace of its own), without cbridge's
// report. Nor is there an alternate signal stack to give an M: Windows
// dispatches an exception on the faulting thread's own stack.
#include "runtime/signals.hpp"

#include "runtime/traceback.hpp"

namespace cbridge::rt {

void initsig() { tracebackinit(); }

void minitSignals(M*) {}
void unminitSignals(M*) {}

bool onaltsigstack() { return false; }

}  // namespace cbridge::rt
