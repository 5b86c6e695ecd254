#include "runtime/preempt.hpp"

#include "runtime/os_linux.hpp"

namespace cbridge::rt {

namespace {
// Rare events (one per preemption attempt): plain global counters.
std::atomic<uint64_t> attempts{0};
std::atomic<uint64_t> refused{0};

// The interrupt of a real preemption. Until asynchronous preemption (a
// signal) exists, it sets the flag that the M's next trip through the
// scheduler honours (directNext declines to switch without it).
void requestPreempt(M* mp, void*) { mp->preemptRequested.store(true, std::memory_order_release); }
}  // namespace

void preemptExtEnterSlow(M* m) {
  uint32_t expected = 0;
  while (!m->preemptExtLock.compare_exchange_weak(expected, 1, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed)) {
    // A preemption of this M is in progress: it is not safe to enter
    // foreign code until it is done. It will be shortly.
    expected = 0;
    osyield();
  }
}

bool preemptWith(M* mp, void (*interrupt)(M*, void*), void* arg) {
  attempts.fetch_add(1, std::memory_order_relaxed);
  uint32_t expected = 0;
  if (!mp->preemptExtLock.compare_exchange_strong(expected, 1, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed)) {
    // mp is in foreign code: fail the attempt, as Go's preemptM does.
    refused.fetch_add(1, std::memory_order_relaxed);
    mp->preemptGen.fetch_add(1, std::memory_order_release);
    return false;
  }
  interrupt(mp, arg);
  mp->preemptExtLock.store(0, std::memory_order_release);
  mp->preemptGen.fetch_add(1, std::memory_order_release);
  return true;
}

bool preemptM(M* mp) { return preemptWith(mp, requestPreempt, nullptr); }

PreemptStats preemptstats() {
  return {attempts.load(std::memory_order_relaxed), refused.load(std::memory_order_relaxed)};
}

}  // namespace cbridge::rt
