// SPDX-License-Identifier: MIT
// fork(): only exec is supported in the child of a process whose runtime
// has started, as in Go (its threads, Ms and poller do not survive fork).
#pragma once

#include <atomic>

namespace cbridge::rt {

// installForkHandlers registers the pthread_atfork child handler; schedinit
// calls it once. A child of a process that never started the runtime
// starts its own as usual.
void installForkHandlers();

// Set in the child by the atfork handler, while it is single-threaded;
// read relaxed: it never changes after that.
extern std::atomic<bool> gForkChild;

bool refuseInForkChildSlow();

// refuseInForkChild says whether the caller is in such a child; the first
// time it is, it prints the one line that explains what fails there.
inline bool refuseInForkChild() {
  return gForkChild.load(std::memory_order_relaxed) && refuseInForkChildSlow();
}

}  // namespace cbridge::rt
