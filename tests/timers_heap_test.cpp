// SPDX-License-Identifier: MIT
// The timer heap, driven directly on this thread: the runtime is not
// started in this executable, so no M runs timers behind the test's back
// and the firing order is exactly the heap's.
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "runtime/os.hpp"
#include "runtime/timers.hpp"

namespace rt = cbridge::rt;

namespace {

std::vector<int> fired;

void record(void* arg) { fired.push_back(int(reinterpret_cast<intptr_t>(arg))); }

TEST(TimerHeap, FiresInWhenOrderAndSkipsDeleted) {
  fired.clear();
  std::vector<rt::Timer> ts(200);
  int64_t base = rt::nanotime() - 1000000;  // all due
  for (int i = 0; i < 200; i++) {
    int k = (i * 73) % 200;  // insert in a scrambled order
    ts[size_t(k)].when = base + k;
    ts[size_t(k)].f = record;
    ts[size_t(k)].arg = reinterpret_cast<void*>(intptr_t(k));
    rt::addtimer(&ts[size_t(k)]);
  }
  for (int k = 0; k < 200; k += 3) EXPECT_TRUE(rt::deltimer(&ts[size_t(k)]));
  EXPECT_EQ(rt::runtimers(rt::nanotime()), 0);  // nothing left
  std::vector<int> want;
  for (int k = 0; k < 200; k++)
    if (k % 3 != 0) want.push_back(k);
  EXPECT_EQ(fired, want);
  for (auto& t : ts) EXPECT_FALSE(rt::deltimer(&t));
}

TEST(TimerHeap, OnlyDueTimersFireAndNextIsReported) {
  fired.clear();
  rt::Timer a, b;
  int64_t now = rt::nanotime();
  a.when = now - 1;
  a.f = record;
  a.arg = reinterpret_cast<void*>(intptr_t(1));
  b.when = now + 3600 * int64_t(1000000000);
  b.f = record;
  b.arg = reinterpret_cast<void*>(intptr_t(2));
  rt::addtimer(&b);
  rt::addtimer(&a);
  EXPECT_EQ(rt::nextwhen(), a.when);
  EXPECT_EQ(rt::runtimers(now), b.when);
  EXPECT_EQ(fired, std::vector<int>{1});
  EXPECT_TRUE(rt::deltimer(&b));
  EXPECT_EQ(rt::nextwhen(), 0);
}

TEST(TimerHeap, CallbackMayRearmItsTimer) {
  static int runs = 0;
  runs = 0;
  rt::Timer t;
  t.when = rt::nanotime() - 10;
  t.arg = &t;
  t.f = [](void* arg) {
    auto* self = static_cast<rt::Timer*>(arg);
    if (++runs < 3) {
      self->when -= 1;  // still due: runs again in the same call
      rt::addtimer(self);
    }
  };
  rt::addtimer(&t);
  rt::runtimers(rt::nanotime());
  EXPECT_EQ(runs, 3);
  EXPECT_FALSE(rt::deltimer(&t));
}

// Arming an armed timer is a runtime bug: it would sit in the heap twice
// (issue #12.3, what two concurrent Timer::reset calls did).
TEST(TimerHeapDeathTest, AddingAnArmedTimerIsFatal) {
  EXPECT_EXIT(
      {
        rt::Timer t;
        t.when = rt::nanotime() + 3600 * int64_t(1000000000);
        t.f = record;
        rt::addtimer(&t);
        rt::addtimer(&t);
        std::exit(0);
      },
      ::testing::ExitedWithCode(2), "fatal error: addtimer called with initialized timer");
}

// modtimer moves an armed timer in one step (true: it had not fired) and
// arms an idle or fired one (false); the heap keeps one entry per timer.
TEST(TimerHeap, ModtimerMovesOrArms) {
  fired.clear();
  rt::Timer a, b;
  int64_t now = rt::nanotime();
  int64_t hour = 3600 * int64_t(1000000000);
  EXPECT_FALSE(rt::modtimer(&a, now + hour, record, reinterpret_cast<void*>(intptr_t(1))));
  EXPECT_FALSE(rt::modtimer(&b, now + 2 * hour, record, reinterpret_cast<void*>(intptr_t(2))));
  EXPECT_TRUE(rt::modtimer(&b, now - 1, record, reinterpret_cast<void*>(intptr_t(2))));
  EXPECT_EQ(rt::nextwhen(), now - 1);
  EXPECT_TRUE(rt::modtimer(&b, now - 2, record, reinterpret_cast<void*>(intptr_t(2))));
  EXPECT_EQ(rt::timersArmed(), 2);
  EXPECT_EQ(rt::runtimers(now), now + hour);
  EXPECT_EQ(fired, std::vector<int>{2});
  EXPECT_FALSE(rt::modtimer(&b, now - 1, record, reinterpret_cast<void*>(intptr_t(3))));
  EXPECT_TRUE(rt::modtimer(&a, now - 2, record, reinterpret_cast<void*>(intptr_t(1))));
  rt::runtimers(now);
  EXPECT_EQ(fired, (std::vector<int>{2, 1, 3}));
  EXPECT_EQ(rt::timersArmed(), 0);
  EXPECT_FALSE(rt::deltimer(&a));
  EXPECT_FALSE(rt::deltimer(&b));
}

}  // namespace
