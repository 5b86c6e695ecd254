// SPDX-License-Identifier: MIT
// The checked build's lock-rank checks (CBRIDGE_LOCKRANK=ON only): a
// wrong-order acquire, a Lock taken in a runtime signal handler, and the
// release of a Lock the thread does not hold each stop the process with
// "fatal error: lock ordering problem" naming the ranks involved; the
// orders runtime/lockrank.hpp allows go through.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include "runtime/lock.hpp"

namespace {

using cbridge::rt::Lock;
using cbridge::rt::LockGuard;
using cbridge::rt::LockRank;

TEST(LockRankDeathTest, WrongOrderAcquireDies) {
  // sched is a leaf: nothing may be taken under it, a channel's lock least
  // of all (goready takes sched.lock under a channel's).
  EXPECT_EXIT(
      {
        Lock sched{LockRank::Sched};
        Lock chan{LockRank::Hchan};
        LockGuard g(sched);
        LockGuard g2(chan);
      },
      testing::ExitedWithCode(2),
      "fatal error: lock ordering problem: hchan lock 0x[0-9a-f]+ wanted while holding sched "
      "lock");
}

TEST(LockRankDeathTest, DownTheOrderBetweenNonLeavesDies) {
  EXPECT_EXIT(
      {
        Lock pool{LockRank::TimerFuncPool};
        Lock pd{LockRank::PollDesc};
        LockGuard g(pool);
        LockGuard g2(pd);
      },
      testing::ExitedWithCode(2),
      "lock ordering problem: pollDesc lock 0x[0-9a-f]+ wanted while holding timerFuncPool lock");
}

TEST(LockRankDeathTest, SameRankWithoutSelfEdgeDies) {
  // Two pollDescs at once: only channels (select) may nest with their own
  // rank.
  EXPECT_EXIT(
      {
        Lock a{LockRank::PollDesc};
        Lock b{LockRank::PollDesc};
        LockGuard g(a);
        LockGuard g2(b);
      },
      testing::ExitedWithCode(2),
      "lock ordering problem: pollDesc lock 0x[0-9a-f]+ wanted while holding pollDesc lock");
}

TEST(LockRankDeathTest, RelockDies) {
  EXPECT_EXIT(
      {
        Lock a{LockRank::Hchan};
        a.lock();
        a.lock();
      },
      testing::ExitedWithCode(2), "lock ordering problem: hchan lock 0x[0-9a-f]+ taken again");
}

Lock* gHandlerLock;
void lockingHandler(int) {
  cbridge::rt::SignalHandlerScope inHandler;
  LockGuard g(*gHandlerLock);
}

TEST(LockRankDeathTest, LockInSignalHandlerDies) {
  EXPECT_EXIT(
      {
        static Lock timers{LockRank::Timers};
        gHandlerLock = &timers;
        struct sigaction sa {};
        sa.sa_handler = lockingHandler;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, nullptr);
        raise(SIGUSR1);
      },
      testing::ExitedWithCode(2),
      "lock ordering problem: timers lock 0x[0-9a-f]+ taken inside a runtime signal handler");
}

TEST(LockRankDeathTest, LockAfterLeavingSignalHandlerScopeIsAllowed) {
  // leave() ends the scope before a chained (host's) handler runs.
  EXPECT_EXIT(
      {
        Lock timers{LockRank::Timers};
        cbridge::rt::SignalHandlerScope inHandler;
        inHandler.leave();
        { LockGuard g(timers); }
        exit(0);
      },
      testing::ExitedWithCode(0), "");
}

TEST(LockRankDeathTest, UnlockNotHeldDies) {
  EXPECT_EXIT(
      {
        Lock a{LockRank::Sched};
        a.unlock();
      },
      testing::ExitedWithCode(2),
      "lock ordering problem: sched lock 0x[0-9a-f]+ released by a thread that does not hold it");
}

TEST(LockRankDeathTest, UnlockOnAnotherThreadDies) {
  EXPECT_EXIT(
      {
        static Lock a{LockRank::Hchan};
        a.lock();
        pthread_t t;
        pthread_create(
            &t, nullptr, [](void*) -> void* {
              a.unlock();
              return nullptr;
            },
            nullptr);
        pthread_join(t, nullptr);
      },
      testing::ExitedWithCode(2),
      "lock ordering problem: hchan lock 0x[0-9a-f]+ released by a thread that does not hold it");
}

TEST(LockRank, AllowedOrdersPass) {
  // A select's channels, a parked timer function telling its pool, the
  // pool arming its linger timer: the edges lockrank.hpp lists.
  Lock c1{LockRank::Hchan}, c2{LockRank::Hchan};
  Lock pool{LockRank::TimerFuncPool};
  Lock start{LockRank::Start};
  Lock sched{LockRank::Sched}, timers{LockRank::Timers};
  c1.lock();
  c2.lock();
  pool.lock();
  timers.lock();
  timers.unlock();
  pool.unlock();
  start.lock();
  sched.lock();
  sched.unlock();
  start.unlock();
  c1.unlock();  // out of order, as a park's unlockf may
  c2.unlock();
  EXPECT_EQ(cbridge::rt::locksHeld(), 0u);
}

TEST(LockRank, PartialOrderIsInsideTheTotalOrder) {
  static_assert(cbridge::rt::lockPartialOrderConsistent());
  for (int r = 0; r < cbridge::rt::kLockRanks; r++)
    EXPECT_STRNE(cbridge::rt::lockRankName(LockRank(r)), "unknown") << r;
}

}  // namespace
