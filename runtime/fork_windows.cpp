// SPDX-License-Identifier: MIT
// fork on Windows: there is none (a new process starts from an image,
// CreateProcess, as exec does), so no process is ever a copy of one the
// runtime ran in, and there is nothing to prepare or refuse
// (fork_unix.cpp is what Linux needs).
#include "runtime/fork.hpp"

namespace cbridge::rt {

std::atomic<bool> gForkChild{false};

// Never reached: gForkChild stays false. It is the contract's slow path.
bool refuseInForkChildSlow() { return false; }

void installForkHandlers() {}

}  // namespace cbridge::rt
