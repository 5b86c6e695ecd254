// SPDX-License-Identifier: MIT
// after() is a timer that sends, not a task (issue #12.5): a receive loop
// with after(1min) as its timeout costs no task and no stack, and the
// timers of the after()s nobody waits for any more are freed. Before the
// fix every after() started a task that slept for d: the loop below held
// 300,000 tasks and their stacks and died at ~131k.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "tests/tsan_limits.hpp"

using namespace std::chrono_literals;

namespace {

TEST(After, TimeoutLoopCostsNoTaskAndFreesItsTimers) {
  const long n = cbridge_test::kTsanBuild ? 30000 : 300000;
  cbridge::run([n] {
    cbridge::Chan<long> c(1024);
    cbridge::go([c, n]() mutable {
      for (long i = 0; i < n; i++) c.send(i);
      c.close();
    });
    cbridge::Stats s0 = cbridge::stats();
    long got = 0, timeouts = 0;
    int64_t maxLive = 0, maxArmed = 0;
    for (bool open = true; open;) {
      cbridge::Chan<cbridge::Instant> to = cbridge::after(1min);
      cbridge::select(cbridge::on_recv(c, [&](std::optional<long> v) {
                        if (v)
                          got++;
                        else
                          open = false;
                      }),
                      cbridge::on_recv(to, [&](auto) { timeouts++; }));
      if (got % 1000 == 0) {
        cbridge::Stats s = cbridge::stats();
        maxLive = std::max(maxLive, s.tasks_live);
        maxArmed = std::max(maxArmed, s.timers_armed);
      }
    }
    cbridge::Stats s1 = cbridge::stats();
    EXPECT_EQ(got, n);
    EXPECT_EQ(timeouts, 0);
    // The sender and us: after() started no task.
    EXPECT_LE(maxLive, s0.tasks_live + 1);
    EXPECT_LE(s1.tasks_created - s0.tasks_created, 5u);
    // At most the one after() alive at a time (and a sleeping M's own):
    // the dropped ones were disarmed and freed.
    EXPECT_LE(maxArmed, s0.timers_armed + 2);
    EXPECT_EQ(s1.timers_armed, s0.timers_armed);
  });
}

// The timer's send runs on g0 of the M running timers, and wakes a task
// parked on the channel, and a plain thread blocked on it.
TEST(After, SendFromTheTimerWakesTaskAndThreadReceivers) {
  cbridge::run([] {
    auto t0 = cbridge::Instant::clock::now();
    auto at = cbridge::after(2ms).recv();
    ASSERT_TRUE(at.has_value());
    EXPECT_GE(*at - t0, 2ms);
    auto late = cbridge::after(1h), soon = cbridge::after(1ms);
    int i = cbridge::select(cbridge::on_recv(late, [](std::optional<cbridge::Instant>) {}),
                            cbridge::on_recv(soon, [](std::optional<cbridge::Instant>) {}));
    EXPECT_EQ(i, 1);
  });
  auto c = cbridge::after(1ms);
  std::thread th([c]() mutable { EXPECT_TRUE(c.recv().has_value()); });
  th.join();
}

// Nobody receives: the value waits in the buffer; a closed after()
// channel drops it (the send never throws on g0); dropping the last handle
// before d disarms the timer.
TEST(After, UnreceivedClosedAndDroppedChannels) {
  cbridge::run([] {
    int64_t armed0 = cbridge::stats().timers_armed;
    {
      auto dropped = cbridge::after(1h);
      EXPECT_EQ(cbridge::stats().timers_armed, armed0 + 1);
    }
    EXPECT_EQ(cbridge::stats().timers_armed, armed0);
    auto kept = cbridge::after(1ms);
    auto closed = cbridge::after(1ms);
    closed.close();
    EXPECT_FALSE(closed.recv().has_value());
    // Both fire (the closed one's send is dropped, not thrown on g0); the
    // kept one's value waits in the buffer for a receiver that comes late.
    // A timer leaves the heap (and timers_armed) just before its function
    // sends, so the receiver looks until the value is there, bounded so
    // that a lost value fails rather than hangs.
    while (cbridge::stats().timers_armed != armed0) cbridge::sleep_for(1ms);
    std::optional<cbridge::Instant> v;
    for (int i = 0; i < 10000 && !(v = kept.try_recv()); i++) cbridge::sleep_for(1ms);
    EXPECT_TRUE(v.has_value());
    EXPECT_FALSE(closed.try_recv().has_value());
  });
}

}  // namespace
