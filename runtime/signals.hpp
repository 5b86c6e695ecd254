// SPDX-License-Identifier: MIT
// Signal handling: the stack-overflow SIGSEGV handler and per-M signal
// stacks.
#pragma once

#include <cstddef>

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

// onaltsigstack says whether the calling thread runs on its alternate
// signal stack (a system call: for error paths only).
bool onaltsigstack();

}  // namespace cbridge::rt
