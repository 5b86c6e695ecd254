// SPDX-License-Identifier: MIT
// rt::locksHeld, the per-thread count of runtime Locks held (Go's
// m.locks), in every build: it follows lock and unlock, and it is back to
// zero wherever a task holds nothing, after parks whose Lock was taken by
// the task and released by g0 (gopark's unlockf), on whichever thread the
// task resumes. A Lock released on a thread other than the one that took
// it would leave one thread's count above zero for good (the preemption
// handler would then never preempt there).
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <atomic>

#include "runtime/lock.hpp"

namespace {

using cbridge::rt::Lock;
using cbridge::rt::LockRank;
using cbridge::rt::locksHeld;

TEST(LocksHeld, FollowsLockAndUnlock) {
  Lock chan{LockRank::Hchan};
  Lock sched{LockRank::Sched};
  uint32_t base = locksHeld();
  EXPECT_EQ(base, 0u);
  chan.lock();
  EXPECT_EQ(locksHeld(), base + 1);
  sched.lock();
  EXPECT_EQ(locksHeld(), base + 2);
  // Out of order, as select and a park's unlockf may release.
  chan.unlock();
  EXPECT_EQ(locksHeld(), base + 1);
  sched.unlock();
  EXPECT_EQ(locksHeld(), base);
}

TEST(LocksHeld, ZeroInTasksAcrossParks) {
  std::atomic<int> nonzero{0};
  std::atomic<int> checks{0};
  auto check = [&] {
    checks.fetch_add(1, std::memory_order_relaxed);
    if (cbridge::rt::locksHeld() != 0) nonzero.fetch_add(1, std::memory_order_relaxed);
  };
  cbridge::run([&] {
    cbridge::Chan<int> ping, pong;
    cbridge::Mutex mu;
    cbridge::WaitGroup wg;
    int shared = 0;
    constexpr int kRounds = 2000, kWorkers = 4;
    wg.add(2 + kWorkers);
    cbridge::go([&, ping, pong]() mutable {
      for (int i = 0; i < kRounds; i++) {
        ping.send(i);  // parks until the receiver comes
        check();
        pong.recv();
        check();
      }
      wg.done();
    });
    cbridge::go([&, ping, pong]() mutable {
      for (int i = 0; i < kRounds; i++) {
        ping.recv();
        check();
        pong.send(i);
        check();
      }
      wg.done();
    });
    for (int k = 0; k < kWorkers; k++)
      cbridge::go([&] {
        for (int i = 0; i < kRounds; i++) {
          {
            std::lock_guard<cbridge::Mutex> g(mu);  // parks on contention
            check();
            shared++;
          }
          check();
          if (i % 100 == 0) cbridge::sleep_for(std::chrono::microseconds(50));
          check();
        }
        wg.done();
      });
    wg.wait();
    check();
    EXPECT_EQ(shared, kRounds * kWorkers);
  });
  EXPECT_EQ(checks.load(), 2000 * 4 + 2000 * 4 * 3 + 1);
  EXPECT_EQ(nonzero.load(), 0);
  EXPECT_EQ(locksHeld(), 0u);
}

}  // namespace
