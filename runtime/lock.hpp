// Lock: the runtime's internal mutex (Go's lock_futex.go).
#pragma once

#include <atomic>
#include <cstdint>

namespace cbridge::rt {

// Lock is a futex-based mutex for runtime data structures. Unlike
// std::mutex it has no owner: a task may take it on its own stack and the
// M's g0 may release it after the task parked (the unlockf of park), which
// is how channel and scheduler code hands a lock across a context switch.
// Critical sections are short and never block, so it spins briefly first.
class Lock {
 public:
  void lock() {
    uint32_t expected = kUnlocked;
    // acquire: everything the previous holder wrote before release is
    // visible to us.
    if (key_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                     std::memory_order_relaxed))
      return;
    lockSlow();
  }
  void unlock() {
    // release: publishes the critical section to the next holder.
    if (key_.exchange(kUnlocked, std::memory_order_release) == kSleeping) wake();
  }

 private:
  void lockSlow();
  void wake();

  static constexpr uint32_t kUnlocked = 0, kLocked = 1, kSleeping = 2;
  std::atomic<uint32_t> key_{kUnlocked};
};

// LockGuard is the scoped holder of a Lock.
class LockGuard {
 public:
  explicit LockGuard(Lock& l) : l_(l) { l_.lock(); }
  ~LockGuard() { l_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& l_;
};

}  // namespace cbridge::rt
