// SPDX-License-Identifier: MIT
#include "runtime/note.hpp"

#include <cstdint>

#include "runtime/fatal.hpp"
#include "runtime/os.hpp"

namespace cbridge::rt {

void Note::wakeup() {
  // release: what the waker did before wakeup is visible to the sleeper,
  // which reads key_ with acquire.
  uint32_t old = key_.exchange(1, std::memory_order_release);
  if (old != 0) fatal("notewakeup - double wakeup (%u)", old);
  futexwakeup(&key_, 1);
}

void Note::sleep() {
  while (key_.load(std::memory_order_acquire) == 0) futexsleep(&key_, 0, -1);
}

bool Note::tsleep(int64_t ns) {
  if (ns < 0) {
    sleep();
    return true;
  }
  // Saturated: a timer waiter sleeping until a deadline that never comes
  // (INT64_MAX, see whenAfter) asks for INT64_MAX - its own earlier now.
  int64_t now = nanotime();
  int64_t deadline = ns > INT64_MAX - now ? INT64_MAX : now + ns;
  while (key_.load(std::memory_order_acquire) == 0) {
    int64_t left = deadline - nanotime();
    if (left <= 0) return false;
    futexsleep(&key_, 0, left);
  }
  return true;
}

}  // namespace cbridge::rt
