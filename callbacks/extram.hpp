// SPDX-License-Identifier: MIT
// Extra Ms: the Ms that threads the runtime did not create borrow to call
// managed code (Go's needm/dropm and the extra-M list, proc.go).
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::cb {

// needm binds an extra M to the calling thread, which has none: one from
// the extra list, or a new one. It caches it in thread-local storage
// (getm) and arranges for dropm at thread exit. sp is the caller's stack
// pointer, for the M's first system-stack bounds.
rt::M* needm(uintptr_t sp);

struct ExtraMStats {
  uint64_t idle;    // on the extra list
  uint64_t inUse;   // bound to a thread
  uint64_t stacksReleased;  // idle Ms' G stacks given back to the OS
};
ExtraMStats extramstats();

// extramscavenge releases the G stacks of the idle extra Ms kept warm
// when no thread took one since its last call; sysmon calls it with the
// stack scavenging.
void extramscavenge();

}  // namespace cbridge::cb
