// Signal handling: the guard-page SIGSEGV handler and per-M signal stacks.
#pragma once

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// initsig installs the runtime's SIGSEGV/SIGBUS handler once, remembering
// the handler it replaces: faults that are not a task's stack overflow are
// passed to it (or to the default action).
void initsig();
// minitSignals gives the calling M an alternate signal stack if its thread
// has none; unminitSignals takes back what minitSignals gave.
void minitSignals(M* m);
void unminitSignals(M* m);

}  // namespace cbridge::rt
