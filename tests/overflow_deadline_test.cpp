// SPDX-License-Identifier: MIT
// Huge durations and deadlines mean "never", as in Go (TestOverflowSleep):
// now + nanoseconds::max() once wrapped into the past and fired at once
// (issue #12.4). Each entry point is given the maximum; the waits are then
// ended by the event they wait for, and must report it, not a timeout.
// (Waits on a C library's fd: overflow_waitfd_unix_test.cpp.)
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <system_error>
#include <thread>

#include "runtime/timers.hpp"

using namespace std::chrono_literals;
namespace net = cbridge::net;

namespace {

constexpr auto kNever = std::chrono::nanoseconds::max();

TEST(Overflow, WhenAfterSaturates) {
  EXPECT_EQ(cbridge::rt::whenAfter(INT64_MAX), INT64_MAX);
  EXPECT_EQ(cbridge::rt::whenAfter(INT64_MAX - 1), INT64_MAX);
  int64_t soon = cbridge::rt::whenAfter(1000000000);
  EXPECT_GT(soon, 0);
  EXPECT_LT(soon, INT64_MAX);
}

TEST(Overflow, HugeSleepsTimersAndAfterDoNotFire) {
  std::atomic<bool> slept{false}, fired{false}, resetFired{false};
  cbridge::run([&] {
    cbridge::go([&] {
      cbridge::sleep_for(kNever);
      slept = true;
    });
    cbridge::Timer t(kNever, [&] { fired = true; });
    cbridge::Timer r(1h, [&] { resetFired = true; });
    r.reset(kNever);
    cbridge::Chan<cbridge::Instant> a = cbridge::after(kNever);
    cbridge::Chan<cbridge::Instant> soon = cbridge::after(30ms);
    int which = cbridge::select(cbridge::on_recv(a, [](auto) {}), cbridge::on_recv(soon, [](auto) {}));
    EXPECT_EQ(which, 1) << "after(nanoseconds::max()) fired first";
    EXPECT_FALSE(slept.load());
    EXPECT_FALSE(fired.load());
    EXPECT_FALSE(resetFired.load());
    t.stop();
    r.stop();
  });
  // A plain thread's sleep: it never returns, so it is left behind.
  std::atomic<bool> threadSlept{false};
  std::thread([&] {
    cbridge::sleep_for(kNever);
    threadSlept = true;
  }).detach();
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(threadSlept.load());
}

TEST(Overflow, DialWithAHugeTimeoutConnects) {
  cbridge::run([] {
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
    ASSERT_FALSE(err);
    auto [conn, derr] = net::dial_tcp("127.0.0.1", ln.port(), kNever);
    EXPECT_FALSE(derr) << derr.message();
  });
}

}  // namespace
