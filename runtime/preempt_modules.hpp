// SPDX-License-Identifier: MIT
// Which code the preemption signal may interrupt: the executable sections
// of the modules registered for it (preempt_modules_linux.cpp).
#pragma once

#include <cstdint>

namespace cbridge::rt {

// initPreemptModules registers the main executable, unless cbridge itself
// is linked into it (its code must never be interrupted). Once, before the
// signal handler is installed.
void initPreemptModules();

// preemptiblePC says whether pc lies in registered code. Async-signal-safe:
// no lock, reads a table that only grows.
bool preemptiblePC(uintptr_t pc);

}  // namespace cbridge::rt
