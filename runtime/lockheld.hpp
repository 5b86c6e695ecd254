// SPDX-License-Identifier: MIT
// Per-thread lock state that signal handlers read: how many runtime Locks
// the thread holds (Go's m.locks) and whether it runs a runtime signal
// handler; and, for CBRIDGE_DEBUG=cbcheck, how many cbridge::Mutexes it
// took less those it released. Present in every build.
//
// Both counters are thread_local with the initial-exec model: a signal
// handler must not allocate a TLS block, and each access is then one
// %fs-relative instruction, so a task that parks on one thread and resumes
// on another never uses a cached address (the thread pointer is never
// materialized in a register; where thread_locals are emulated, the
// accessors below see to it). They are plain integers, not atomics: only
// their own thread writes them, and what must not happen is the compiler
// moving an update across the lock operation it brackets, which
// std::atomic_signal_fence (a compiler barrier, no instruction) prevents
// where it matters (lock.hpp).
//
// A Lock may be taken by a task and released by g0 of the SAME thread
// after the task switched away (the unlockf of gopark): the count stays
// right because it is the thread's. No Lock is ever released on another
// thread; the checked build (CBRIDGE_LOCKRANK) verifies it.
#pragma once

#include <cstdint>

#include "runtime/attributes.hpp"

namespace cbridge::rt {

namespace lockheld_detail {
// Runtime Locks held (or being acquired) by this thread.
inline thread_local constinit uint32_t tlsLocksHeld CBRIDGE_TLS_INITIAL_EXEC = 0;
// cbridge::Mutex locks taken on this thread less unlocks made on it. A
// task may lock on one thread and unlock on another, so only differences
// over a stretch in which one task alone runs on the thread mean
// anything: a callback's handler, whose G is locked to its M (cbcheck).
// Counted always: one increment costs less than a test of whether to.
inline thread_local constinit uint32_t tlsMutexesHeld CBRIDGE_TLS_INITIAL_EXEC = 0;
// Runtime signal handlers this thread is running (nested ones count).
inline thread_local constinit uint32_t tlsInSignalHandler CBRIDGE_TLS_INITIAL_EXEC = 0;
// Every access goes through these (CBRIDGE_TLS_ACCESSOR: where
// thread_locals are emulated, a caller that parked must not keep the
// address it had before).
CBRIDGE_TLS_ACCESSOR inline uint32_t& locksHeld() { return tlsLocksHeld; }
CBRIDGE_TLS_ACCESSOR inline uint32_t& mutexesHeld() { return tlsMutexesHeld; }
CBRIDGE_TLS_ACCESSOR inline uint32_t& inSignalHandler() { return tlsInSignalHandler; }
}  // namespace lockheld_detail

// locksHeld is the number of runtime Locks the calling thread holds or is
// acquiring. The preemption signal handler refuses to preempt while it is
// not zero: the interrupted code is in a critical section.
inline uint32_t locksHeld() { return lockheld_detail::locksHeld(); }
// locksHeldAddr is where the calling thread keeps that count, for a
// preemptor that reads it while the thread is suspended (Windows).
inline const uint32_t* locksHeldAddr() { return &lockheld_detail::locksHeld(); }

// mutexesHeld is tlsMutexesHeld (wrapping: compare differences);
// mutexLocked and mutexUnlocked keep it.
inline uint32_t mutexesHeld() { return lockheld_detail::mutexesHeld(); }
inline void mutexLocked() { lockheld_detail::mutexesHeld()++; }
inline void mutexUnlocked() { lockheld_detail::mutexesHeld()--; }

// inSignalHandler says whether the calling thread runs a runtime signal
// handler (inside a SignalHandlerScope).
inline bool inSignalHandler() { return lockheld_detail::inSignalHandler() != 0; }

// SignalHandlerScope marks the calling thread as running a runtime signal
// handler for its lifetime. The interrupted code may hold any Lock, so the
// checked build stops with "lock ordering problem" on any Lock taken
// inside one. Not around a chained (host's) handler, which is not the
// runtime's code: leave() first.
class SignalHandlerScope {
 public:
  SignalHandlerScope() { lockheld_detail::inSignalHandler()++; }
  ~SignalHandlerScope() { leave(); }
  SignalHandlerScope(const SignalHandlerScope&) = delete;
  SignalHandlerScope& operator=(const SignalHandlerScope&) = delete;

  // leave ends the scope early: before chaining to the handler the
  // runtime's replaced.
  void leave() {
    if (!active_) return;
    active_ = false;
    lockheld_detail::inSignalHandler()--;
  }

 private:
  bool active_ = true;
};

}  // namespace cbridge::rt
