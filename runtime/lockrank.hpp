// SPDX-License-Identifier: MIT
// Lock ranks: the static order of the runtime's Locks (Go's lockrank.go).
//
// Every rt::Lock is given a rank when it is constructed. A thread may take
// a Lock only if the lock it took most recently and still holds is allowed
// to be held when taking it: the rank of the new lock is higher, and the
// held rank is in the new rank's list below (a partial order inside the
// total order of the enum, exactly as Go's lockPartialOrder inside its
// lockRank numbering). Two locks of the same rank may be held together
// only if the rank lists itself. Leaf ranks (from kFirstLeafRank on) may be
// taken with any non-leaf rank held, and nothing may be taken while a leaf
// is held.
//
// The order, and why each edge exists (derived from every place a Lock is
// taken while another is held; the checked build, CBRIDGE_LOCKRANK=ON,
// verifies it on every acquire of the test suite):
//
//   Hchan            a channel's lock. Held with another Hchan only by
//                    select, which locks its channels in address order
//                    (Go's sellock), so two selects never deadlock.
//   MutexQueue       cbridge::Mutex's queue of parked waiters.
//   WaitGroup        cbridge::WaitGroup's counter and waiters.
//   PollDesc         a pollDesc (netpoll.hpp).
//   TimerFuncPool    the timer-function runner pool (timerfunc.cpp).
//                    After the four above: a timer function that parks
//                    while holding one of them (Waiter::park passes the
//                    lock to gopark) tells the pool from the park's unlockf,
//                    before that lock is released (timerfuncParking).
//   Start            startLock: schedinit against shutdown. After the
//                    four parking locks: timerfuncParking may start a
//                    runner task (newproc -> ensureStarted), which looks at
//                    the shutdown flag under it.
//   -- leaves: nothing is taken while one is held --
//   Sched            sched.lock: idle Ms and Ps, the global run queue,
//                    allgs/allms. Taken by goready and startm, and so with
//                    a parking lock held (the wakes of timerfuncParking),
//                    with TimerFuncPool (a runner arming its linger timer
//                    may start an M for it) and with Start (schedinit).
//   Timers           the timer heap. Under TimerFuncPool (the linger
//                    timer), and under Hchan when an element's destructor
//                    (a channel, a Timer) deletes a timer.
//   StackChunk       the unguarded stack pools. Under Start
//                    (setDefaultStackSize) and the parking locks (newproc).
//   PollCache        the pollDesc cache's growth (its free list is a span
//                    set, lock-free, as are the free Gs and the stack cache).
//   NetpollInit      the poller's one-time setup.
//   CallCache        the bridge's prepared-call cache.
//   ClosureQuarantine  freed callback closures.
//   CallbackError    a callback's last error text.
//   PreemptModules   the modules registered for asynchronous preemption
//                    (allow_preemption_in; the handler reads the table
//                    without it).
//
// None of these may be taken inside a runtime signal handler
// (SignalHandlerScope): the interrupted code may hold it.
#pragma once

#include <cstdint>

namespace cbridge::rt {

enum class LockRank : uint8_t {
  Hchan,
  MutexQueue,
  WaitGroup,
  PollDesc,
  TimerFuncPool,
  Start,
  // Leaves.
  Sched,
  Timers,
  StackChunk,
  PollCache,
  NetpollInit,
  NetpollRing,
  CallCache,
  ClosureQuarantine,
  CallbackError,
  PreemptModules,
};

constexpr int kLockRanks = int(LockRank::PreemptModules) + 1;
constexpr LockRank kFirstLeafRank = LockRank::Sched;

constexpr bool isLeafRank(LockRank r) { return r >= kFirstLeafRank; }

// The name of a rank, for the checked build's reports.
const char* lockRankName(LockRank r);

namespace lockrank_detail {
constexpr uint32_t bit(LockRank r) { return uint32_t(1) << unsigned(r); }
template <typename... R>
constexpr uint32_t ranks(R... r) {
  return (uint32_t(0) | ... | bit(r));
}
constexpr uint32_t kNonLeaf = bit(kFirstLeafRank) - 1;
constexpr uint32_t kParkingLocks =
    ranks(LockRank::Hchan, LockRank::MutexQueue, LockRank::WaitGroup, LockRank::PollDesc);
}  // namespace lockrank_detail

// kLockPartialOrder[r]: the ranks that may be the most recently taken lock
// still held when a lock of rank r is taken (Go's lockPartialOrder).
inline constexpr uint32_t kLockPartialOrder[kLockRanks] = {
    /* Hchan */ lockrank_detail::ranks(LockRank::Hchan),
    /* MutexQueue */ 0,
    /* WaitGroup */ 0,
    /* PollDesc */ 0,
    /* TimerFuncPool */ lockrank_detail::kParkingLocks,
    /* Start */ lockrank_detail::kParkingLocks,
    // Leaves: after any non-leaf.
    /* Sched */ lockrank_detail::kNonLeaf,
    /* Timers */ lockrank_detail::kNonLeaf,
    /* StackChunk */ lockrank_detail::kNonLeaf,
    /* PollCache */ lockrank_detail::kNonLeaf,
    /* NetpollInit */ lockrank_detail::kNonLeaf,
    /* NetpollRing */ lockrank_detail::kNonLeaf,
    /* CallCache */ lockrank_detail::kNonLeaf,
    /* ClosureQuarantine */ lockrank_detail::kNonLeaf,
    /* CallbackError */ lockrank_detail::kNonLeaf,
    /* PreemptModules */ lockrank_detail::kNonLeaf,
};

// lockRankAllowed says whether a lock of rank want may be taken while the
// most recently taken lock still held has rank held.
constexpr bool lockRankAllowed(LockRank held, LockRank want) {
  return (kLockPartialOrder[int(want)] & lockrank_detail::bit(held)) != 0;
}

// The partial order lies inside the total order of the enum: every edge
// goes up (or to the same rank, when listed), and no leaf precedes.
constexpr bool lockPartialOrderConsistent() {
  for (int w = 0; w < kLockRanks; w++)
    for (int h = 0; h < kLockRanks; h++)
      if (lockRankAllowed(LockRank(h), LockRank(w)) && (h > w || isLeafRank(LockRank(h))))
        return false;
  return true;
}
static_assert(kLockRanks <= 32, "kLockPartialOrder holds a rank set in 32 bits");
static_assert(lockPartialOrderConsistent(),
              "an edge of kLockPartialOrder goes down the total order, or leaves a leaf");

}  // namespace cbridge::rt
