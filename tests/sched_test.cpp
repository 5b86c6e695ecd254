// SPDX-License-Identifier: MIT
// The scheduler: many tasks, tasks spawning tasks, yield, run(), stats.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <functional>
#include <stdexcept>
#include <thread>

#include "tests/tsan_limits.hpp"

using namespace std::chrono_literals;

namespace {

TEST(Sched, HundredThousandLiveTasks) {
  if (cbridge_test::kTsanBuild) GTEST_SKIP() << cbridge_test::kTsanThreadLimit;
  cbridge::run([] {
    constexpr int kTasks = 100000;
    cbridge::Chan<int> gate;  // every task blocks on it: all live at once
    cbridge::WaitGroup started, finished;
    for (int i = 0; i < kTasks; i++) {
      started.add(1);
      finished.add(1);
      cbridge::go([&, gate]() mutable {
        started.done();
        gate.recv();
        finished.done();
      });
    }
    started.wait();
    EXPECT_GE(cbridge::stats().tasks_live, kTasks);
    gate.close();
    finished.wait();
  });
}

TEST(Sched, TasksSpawnTasks) {
  cbridge::run([] {
    // A binary tree of depth 14: each task starts two children.
    std::atomic<int> count{0};
    cbridge::WaitGroup wg;
    std::function<void(int)> node = [&](int depth) {
      count++;
      if (depth > 0) {
        for (int k = 0; k < 2; k++) {
          wg.add(1);
          cbridge::go([&, depth] {
            node(depth - 1);
            wg.done();
          });
        }
      }
    };
    node(14);
    wg.wait();
    EXPECT_EQ(count.load(), (1 << 15) - 1);
  });
}

TEST(Sched, YieldLetsOthersRun) {
  cbridge::run([] {
    std::atomic<bool> stop{false};
    std::atomic<long> spins{0};
    // More spinners than Ps, each yielding: all must make progress.
    cbridge::WaitGroup wg;
    constexpr int kSpinners = 16;
    std::atomic<int> progressed{0};
    for (int i = 0; i < kSpinners; i++) {
      wg.add(1);
      cbridge::go([&] {
        bool counted = false;
        while (!stop) {
          spins++;
          if (!counted) {
            progressed++;
            counted = true;
          }
          cbridge::yield();
        }
        wg.done();
      });
    }
    while (progressed < kSpinners) cbridge::yield();
    stop = true;
    wg.wait();
    EXPECT_EQ(progressed.load(), kSpinners);
  });
}

TEST(Sched, RunReturnsTheResult) {
  int v = cbridge::run([] { return 6 * 7; });
  EXPECT_EQ(v, 42);
}

TEST(Sched, RunRethrowsTheTasksException) {
  EXPECT_THROW(cbridge::run([] { throw std::invalid_argument("x"); }), std::invalid_argument);
}

TEST(Sched, RunInsideATaskCallsDirectly) {
  cbridge::run([] {
    uint64_t outer = cbridge::task_id();
    uint64_t inner = cbridge::run([] { return cbridge::task_id(); });
    EXPECT_EQ(inner, outer);
  });
}

TEST(Sched, TaskIdentity) {
  EXPECT_FALSE(cbridge::in_task());
  EXPECT_EQ(cbridge::task_id(), 0u);
  cbridge::run([] {
    EXPECT_TRUE(cbridge::in_task());
    EXPECT_GT(cbridge::task_id(), 0u);
  });
}

TEST(Sched, StatsCount) {
  cbridge::Stats before = cbridge::stats();
  cbridge::run([] {
    cbridge::WaitGroup wg;
    for (int i = 0; i < 100; i++) {
      wg.add(1);
      cbridge::go([&] { wg.done(); });
    }
    wg.wait();
  });
  cbridge::Stats after = cbridge::stats();
  EXPECT_EQ(after.tasks_created - before.tasks_created, 101u);
  EXPECT_GT(after.procs, 0);
  EXPECT_GT(after.ms_created, 0u);
  EXPECT_LE(after.ms_idle, int32_t(after.ms_created));
}

TEST(Sched, OwnStackSizePerTask) {
  cbridge::run(
      [] {
        // 1 MiB of locals fits only in a bigger stack than the default.
        volatile char big[1 << 20];
        big[0] = 1;
        big[sizeof big - 1] = 1;
        EXPECT_EQ(big[0] + big[sizeof big - 1], 2);
      },
      {2 << 20});
}

TEST(Sched, TasksStartedFromManyThreads) {
  cbridge::WaitGroup wg;
  std::atomic<int> ran{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; i++) {
        wg.add(1);
        cbridge::go([&] {
          ran++;
          wg.done();
        });
      }
    });
  for (auto& th : threads) th.join();
  wg.wait();
  EXPECT_EQ(ran.load(), 4000);
}

}  // namespace
