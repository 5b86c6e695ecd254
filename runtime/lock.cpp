// SPDX-License-Identifier: MIT
#include "runtime/lock.hpp"

#include "runtime/attributes.hpp"
#include "runtime/os.hpp"

namespace cbridge::rt {

// lockSlow is Go's lock2 for futexes: spin a little with the CPU's pause,
// then yield, then sleep on the key marked kSleeping so unlock knows to wake.
void Lock::lockSlow() {
  uint32_t wait = key_.exchange(kLocked, std::memory_order_acquire);
  if (wait == kUnlocked) return;
  // From here on we may have overwritten kSleeping with kLocked: whoever
  // we displace must still be woken, so we keep asking for kSleeping.
  for (;;) {
    for (int i = 0; i < 64; i++) {
      uint32_t expected = kUnlocked;
      if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire,
                                     std::memory_order_relaxed))
        return;
      procyield();
    }
    osyield();
    uint32_t expected = kUnlocked;
    if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire,
                                   std::memory_order_relaxed))
      return;
    uint32_t v = key_.exchange(kSleeping, std::memory_order_acquire);
    if (v == kUnlocked) return;
    wait = kSleeping;
    futexsleep(&key_, kSleeping, -1);
  }
}

void Lock::wake() { futexwakeup(&key_, 1); }

}  // namespace cbridge::rt
