// The preemption handshake with foreign code (the seed "protect against
// external code calling ExitProcess"; see M::preemptExtLock).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// preemptExtEnter is called before entering foreign code: it takes
// preemptExtLock, yielding while a preemption of this M holds it.
void preemptExtEnter(M* m);
// preemptExtExit is called after returning from foreign code.
void preemptExtExit(M* m);

// preemptM asks mp's running task to stop (Go's preemptM). It fails,
// returning false, when mp is in foreign code: runtime preemption never
// lands there. Either way it bumps mp->preemptGen when done.
bool preemptM(M* mp);

// preemptWith is preemptM with the interrupt supplied: interrupt(mp, arg)
// runs while preemptExtLock is held, so mp cannot enter foreign code
// until it returns.
bool preemptWith(M* mp, void (*interrupt)(M*, void*), void* arg);

struct PreemptStats {
  uint64_t attempts;
  uint64_t refused;  // mp was in foreign code
};
PreemptStats preemptstats();

}  // namespace cbridge::rt
