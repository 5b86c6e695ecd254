// SPDX-License-Identifier: MIT
// Signal handling: the stack-overflow SIGSEGV handler and per-M signal
// stacks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// The guard below a runtime M's system stack (newm asks pthread for it),
// and how far below the exact bottom of any M's system stack a fault
// counts as that stack's overflow. As big as a task stack's guard, for the
// same reason: a C frame of a few KiB must not jump it.
constexpr size_t kG0GuardSize = 64 * 1024;

// initsig installs the runtime's SIGSEGV/SIGBUS handler once, remembering
// the handler it replaces: faults that are not a stack overflow (of a task
// stack or of an M's system stack) are passed to it (or to the default
// action).
void initsig();
// minitSignals gives the calling M an alternate signal stack if its thread
// has none; unminitSignals takes back what minitSignals gave.
void minitSignals(M* m);
void unminitSignals(M* m);

// faultReport, in a fault handler, is the runtime's verdict on a fault at
// addr with the thread at sp and pc (what names the fault: a signal, an
// exception code): a task stack's overflow into its guard, an M's system
// stack's overflow, or a fault in managed code (the sp on the running
// task's stack: a crash of the program's own code, as a nil dereference
// is in Go) is a fatal error, reported with the stack, and does not
// return. Any other fault is not the runtime's (foreign code's, or a C
// thread's): it returns, and the handler passes it on. Async-signal-safe.
void faultReport(uintptr_t addr, uintptr_t sp, uintptr_t pc, const char* what);
// faultReportStackOverflow is faultReport for an OS that raises a stack
// overflow before the stack's end and says which stack, not where it was
// touched (Windows' STATUS_STACK_OVERFLOW, with the running stack's memory
// beginning at lo, the TEB's DeallocationStack). A task stack's memory
// begins with its guard region (contextStackReservation): that is the
// task's overflow, as a fault in its guard is on Linux. Any other stack's
// is what Linux sees as a fault just below the stack: an M's system
// stack's overflow when lo is that stack's bottom.
void faultReportStackOverflow(uintptr_t lo, uintptr_t sp, uintptr_t pc, const char* what);

// onaltsigstack says whether the calling thread runs on its alternate
// signal stack (a system call: for error paths only).
bool onaltsigstack();

}  // namespace cbridge::rt
