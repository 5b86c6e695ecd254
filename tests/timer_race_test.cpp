// SPDX-License-Identifier: MIT
// Concurrent Timer::reset/stop/destroy (issue #12.3): every operation on a
// timer is atomic with respect to the others and to the M running timers.
// Before the fix, reset() deleted, wrote `when` unlocked and added again:
// two resets at once put the timer in the heap twice (stale entries that
// fired after stop(), SIGSEGV in runtimers).
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tests/tsan_limits.hpp"

using namespace std::chrono_literals;

namespace {

int rounds(int plain) { return cbridge_test::kTsanBuild ? plain / 10 : plain; }

// The repro (timer_race3) as a test: two tasks reset one Timer 200 times
// each, then stop() it. The durations are far away, so each stop() must
// find the timer armed exactly once and nothing may ever fire.
TEST(TimerRace, ConcurrentResetsFromTasksLeaveOneArming) {
  std::atomic<long> fired{0}, firedAfterStop{0};
  long stopFalse = 0;
  int64_t armedBefore = cbridge::stats().timers_armed;
  std::vector<std::unique_ptr<cbridge::Timer>> keep;
  cbridge::run([&] {
    for (int r = 0; r < rounds(2000); r++) {
      auto stopped = std::make_shared<std::atomic<bool>>(false);
      auto t = std::make_unique<cbridge::Timer>(1h, [&, stopped] {
        fired++;
        if (stopped->load()) firedAfterStop++;
      });
      cbridge::WaitGroup wg;
      wg.add(2);
      for (int g = 0; g < 2; g++)
        cbridge::go([&, g] {
          for (int i = 0; i < 200; i++) t->reset(g ? 20s : 10s);
          wg.done();
        });
      wg.wait();
      if (!t->stop()) stopFalse++;
      stopped->store(true);
      keep.push_back(std::move(t));
    }
  });
  EXPECT_EQ(stopFalse, 0);  // armed (once) until stop()
  EXPECT_EQ(fired.load(), 0);
  EXPECT_EQ(firedAfterStop.load(), 0);
  // No stale copy of any timer is left in the heap.
  EXPECT_EQ(cbridge::stats().timers_armed, armedBefore);
}

// The same from plain threads, with timers that do fire meanwhile, and
// stop() racing the resets; then the Timer is destroyed, maybe while its
// function is queued or running (ASan: no access to freed memory). No
// stale arming may be left in the heap.
TEST(TimerRace, ResetStopDestroyFromThreads) {
  // Shared with the calls of f, which may outlive the loop (still queued).
  auto fired = std::make_shared<std::atomic<long>>(0);
  int64_t armedBefore = cbridge::stats().timers_armed;
  for (int r = 0; r < rounds(300); r++) {
    auto t = std::make_unique<cbridge::Timer>(1h, [fired] { (*fired)++; });
    std::vector<std::thread> ths;
    for (int k = 0; k < 3; k++)
      ths.emplace_back([&, k] {
        for (int i = 0; i < 100; i++) {
          if (k == 2 && i % 10 == 0)
            t->stop();
          else
            t->reset(std::chrono::microseconds((i * 37 + k * 11) % 200));
        }
      });
    for (auto& th : ths) th.join();
    t.reset();
  }
  EXPECT_EQ(cbridge::stats().timers_armed, armedBefore);
}

// stop() returning true guarantees f does not run: checked on many timers
// that are due right now, racing the M that runs them.
TEST(TimerRace, StopTrueMeansNeverRuns) {
  struct Flag {
    std::atomic<bool> stopped{false};
  };
  // Shared with the calls of f, which may outlive the test's body.
  auto ranAfterTrue = std::make_shared<std::atomic<long>>(0);
  long stoppedTrue = 0;
  int n = rounds(20000);
  std::vector<std::shared_ptr<Flag>> flags;
  std::vector<std::unique_ptr<cbridge::Timer>> ts;
  cbridge::run([&] {
    for (int i = 0; i < n; i++) {
      auto f = std::make_shared<Flag>();
      flags.push_back(f);
      ts.push_back(std::make_unique<cbridge::Timer>(std::chrono::microseconds(i % 50),
                                                    [ranAfterTrue, f] {
                                                      if (f->stopped.load()) (*ranAfterTrue)++;
                                                    }));
      // Stop an earlier timer, which may be firing right now.
      size_t k = size_t(i / 2);
      if (i % 3 == 0 && ts[k]->stop()) {
        flags[k]->stopped.store(true);
        stoppedTrue++;
      }
    }
    // Every timer not stopped fires; wait until those calls ran.
    cbridge::sleep_for(20ms);
  });
  ts.clear();
  EXPECT_EQ(ranAfterTrue->load(), 0);
  EXPECT_GT(stoppedTrue, 0);
}

// Destroying Timers that are firing right now, on other Ms, from tasks and
// threads: with ASan, any access to the freed Timer is a failure.
TEST(TimerRace, DestroyWhileFiring) {
  auto runs = std::make_shared<std::atomic<long>>(0);  // outlives queued calls
  auto body = [&] {
    for (int i = 0; i < rounds(5000); i++) {
      cbridge::Timer t(std::chrono::nanoseconds(i % 3), [runs] { (*runs)++; });
      if (i % 2) std::this_thread::yield();
    }
  };
  std::thread th(body);
  cbridge::run(body);
  th.join();
  EXPECT_EQ(cbridge::stats().timers_armed, 0);
}

// A periodic timer: f resets its own Timer, which keeps working while
// another task resets and stops it concurrently.
TEST(TimerRace, PeriodicSelfResetKeepsWorking) {
  cbridge::run([] {
    std::atomic<int> ticks{0};
    cbridge::Chan<int> done(1);
    cbridge::Timer* self = nullptr;
    cbridge::Timer t(1h, [&] {
      if (++ticks < 200)
        self->reset(50us);
      else
        done.try_send(1);
    });
    self = &t;  // before the first firing: reset's lock publishes it
    EXPECT_TRUE(t.reset(100us));
    EXPECT_EQ(done.recv(), 1);
    EXPECT_EQ(ticks.load(), 200);
    EXPECT_FALSE(t.stop());  // fired and not re-armed
  });
}

}  // namespace
