// SPDX-License-Identifier: MIT
// Timers: ordering, cancel, reset, after(), sleeping tasks.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include "tests/tsan_limits.hpp"



using namespace std::chrono_literals;

namespace {

TEST(Timers, EverySleeperWakesAfterItsDeadline) {
  cbridge::run([] {
    cbridge::WaitGroup wg;
    std::atomic<int> early{0};
    // Started in reverse deadline order; the heap must still serve all.
    for (int i = 9; i >= 0; i--) {
      wg.add(1);
      cbridge::go([&, i] {
        auto d = std::chrono::milliseconds(1 + 3 * i);
        auto t0 = std::chrono::steady_clock::now();
        cbridge::sleep_for(d);
        if (std::chrono::steady_clock::now() - t0 < d) early++;
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(early.load(), 0);
  });
}

TEST(Timers, SleepLastsAtLeastItsDuration) {
  cbridge::run([] {
    auto t0 = std::chrono::steady_clock::now();
    cbridge::sleep_for(20ms);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  });
}

TEST(Timers, TimerFiresOnce) {
  cbridge::Chan<int> c(2);
  cbridge::Timer t(1ms, [c]() mutable { c.send(1); });
  EXPECT_EQ(c.recv(), 1);
  EXPECT_FALSE(t.stop());  // already fired
}

TEST(Timers, StoppedTimerNeverFires) {
  cbridge::run([] {
    std::atomic<bool> fired{false};
    cbridge::Timer t(1h, [&] { fired = true; });
    EXPECT_TRUE(t.stop());  // it was armed, and now is not
    EXPECT_FALSE(t.stop());
    EXPECT_FALSE(fired.load());
  });
}

TEST(Timers, DestroyingATimerStopsIt) {
  cbridge::run([] {
    std::atomic<bool> fired{false};
    { cbridge::Timer t(200ms, [&] { fired = true; }); }
    cbridge::sleep_for(300ms);
    EXPECT_FALSE(fired.load());
  });
}

TEST(Timers, ResetRearms) {
  cbridge::run([] {
    cbridge::Chan<int> c(4);
    cbridge::Timer t(1h, [c]() mutable { c.send(1); });
    EXPECT_TRUE(t.reset(1ms));
    EXPECT_EQ(c.recv(), 1);
    EXPECT_FALSE(t.reset(1ms));  // had fired: reset arms it again
    EXPECT_EQ(c.recv(), 1);
  });
}

TEST(Timers, AfterDeliversOnItsChannel) {
  cbridge::run([] {
    auto t0 = cbridge::Instant::clock::now();
    auto c = cbridge::after(5ms);
    auto at = c.recv();
    ASSERT_TRUE(at.has_value());
    EXPECT_GE(*at - t0, 5ms);
  });
}

TEST(Timers, AfterInSelectTimesOut) {
  cbridge::run([] {
    cbridge::Chan<int> never;
    auto timeout = cbridge::after(5ms);
    int i = cbridge::select(cbridge::on_recv(never, [](std::optional<int>) {}),
                            cbridge::on_recv(timeout, [](std::optional<cbridge::Instant>) {}));
    EXPECT_EQ(i, 1);
  });
}

TEST(Timers, ManySleepersAllWake) {
  if (cbridge_test::kTsanBuild) GTEST_SKIP() << cbridge_test::kTsanThreadLimit;
  cbridge::run([] {
    cbridge::WaitGroup wg;
    std::atomic<int> woke{0};
    for (int i = 0; i < 20000; i++) {
      wg.add(1);
      cbridge::go([&, i] {
        cbridge::sleep_for(std::chrono::microseconds(i % 5000));
        woke++;
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(woke.load(), 20000);
  });
}

}  // namespace
