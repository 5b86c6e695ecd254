// SPDX-License-Identifier: MIT
// Lock: the runtime's internal mutex (Go's lock_futex.go).
//
// Every Lock has a rank (lockrank.hpp), given at construction: the order in
// which a thread may take Locks. The checked build (CMake option
// CBRIDGE_LOCKRANK, on in the sanitizer builds of scripts/run-tests) records
// each thread's held Locks and stops with "fatal error: lock ordering
// problem" on a wrong-order acquire, on the release of a Lock the thread
// does not hold, and on any Lock taken in a runtime signal handler. Every
// build counts the Locks a thread holds (locksHeld, lockheld.hpp), which
// the preemption signal handler reads.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/lockheld.hpp"
#include "runtime/lockrank.hpp"
#include "runtime/thread_safety.hpp"

#ifndef CBRIDGE_LOCKRANK
#define CBRIDGE_LOCKRANK 0
#endif

namespace cbridge::rt {

class Lock;

#if CBRIDGE_LOCKRANK
// The checked build's record (lockrank.cpp), which also keeps the count of
// locksHeld; out of line so that no caller keeps the address of thread
// state across a task switch (the sanitizers' instrumentation of a
// thread_local access materializes the thread pointer).
void lockrankAcquire(const Lock* l, LockRank rank);  // checks, records, counts
void lockrankRelease(const Lock* l, LockRank rank);  // checks, forgets
void lockrankUncount();                              // after the release
#endif

// Lock is a futex-based mutex for runtime data structures. Unlike
// std::mutex it has no owner: a task may take it on its own stack and the
// M's g0 may release it after the task parked (the unlockf of park), which
// is how channel and scheduler code hands a lock across a context switch.
// Both happen on the same thread. Critical sections are short and never
// block, so it spins briefly first.
class CAPABILITY("mutex") Lock {
 public:
  constexpr explicit Lock(LockRank rank) : rank_(rank) {}
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  void lock() ACQUIRE() {
    // Counted before the acquire (Go's lock2 bumps m.locks first): a
    // thread spinning for a Lock is in the runtime too. The fence keeps
    // the compiler from sinking the count below the CAS, where a signal
    // handler on this thread could see the lock taken and the count 0.
#if CBRIDGE_LOCKRANK
    lockrankAcquire(this, rank_);  // checks, records and counts
#else
    lockheld_detail::locksHeld()++;
#endif
    std::atomic_signal_fence(std::memory_order_seq_cst);
    uint32_t expected = kUnlocked;
    // acquire: everything the previous holder wrote before release is
    // visible to us.
    if (key_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                     std::memory_order_relaxed))
      return;
    lockSlow();
  }
  void unlock() RELEASE() {
#if CBRIDGE_LOCKRANK
    // Checked and forgotten before the release: once released, the Lock
    // may be taken by another thread and freed with what it guards (a
    // WaitGroup whose waiter returned), so nothing of it is read after.
    lockrankRelease(this, rank_);
#endif
    // release: publishes the critical section to the next holder.
    if (key_.exchange(kUnlocked, std::memory_order_release) == kSleeping) wake();
    // Not hoisted above the release (see lock).
    std::atomic_signal_fence(std::memory_order_seq_cst);
#if CBRIDGE_LOCKRANK
    lockrankUncount();
#else
    lockheld_detail::locksHeld()--;
#endif
  }

  LockRank rank() const { return rank_; }

 private:
  void lockSlow();
  void wake();

  static constexpr uint32_t kUnlocked = 0, kLocked = 1, kSleeping = 2;
  std::atomic<uint32_t> key_{kUnlocked};
  const LockRank rank_;
};

// LockGuard is the scoped holder of a Lock.
class SCOPED_CAPABILITY LockGuard {
 public:
  explicit LockGuard(Lock& l) ACQUIRE(l) : l_(l) { l_.lock(); }
  ~LockGuard() RELEASE() { l_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& l_;
};

}  // namespace cbridge::rt
