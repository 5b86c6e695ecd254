// The preemption handshake with foreign code (the seed "protect against
// external code calling ExitProcess"; see M::preemptExtLock).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// preemptExtEnterSlow waits out a preemption in progress, then takes the
// lock.
void preemptExtEnterSlow(M* m);

// preemptExtEnter is called before entering foreign code: it takes
// preemptExtLock, yielding while a preemption of this M holds it. Inline:
// it is on the path of every foreign call.
inline void preemptExtEnter(M* m) {
  uint32_t expected = 0;
  if (m->preemptExtLock.compare_exchange_strong(expected, 1, std::memory_order_acq_rel,
                                                std::memory_order_relaxed))
    return;
  preemptExtEnterSlow(m);
}
// preemptExtExit is called after returning from foreign code.
inline void preemptExtExit(M* m) { m->preemptExtLock.store(0, std::memory_order_release); }

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
