// SPDX-License-Identifier: MIT
// Note: a one-shot sleep/wakeup event (Go's note, lock_futex.go).
#pragma once

#include <atomic>
#include <cstdint>

namespace cbridge::rt {

// A Note is cleared, then one thread sleeps on it and one wakes it. The
// wakeup may come before the sleep: the sleep then returns at once.
// Invariant: between clear() and the wakeup exactly one wakeup() happens.
class Note {
 public:
  void clear() { key_.store(0, std::memory_order_relaxed); }
  void wakeup();
  void sleep();
  // tsleep sleeps at most ns nanoseconds; it reports whether the note was
  // woken (false: timed out).
  bool tsleep(int64_t ns);
  bool woken() const { return key_.load(std::memory_order_acquire) != 0; }

 private:
  std::atomic<uint32_t> key_{0};
};

}  // namespace cbridge::rt
