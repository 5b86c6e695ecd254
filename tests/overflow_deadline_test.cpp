// SPDX-License-Identifier: MIT
// Huge durations and deadlines mean "never", as in Go (TestOverflowSleep):
// now + nanoseconds::max() once wrapped into the past and fired at once
// (issue #12.4). Each entry point is given the maximum; the waits are then
// ended by the event they wait for, and must report it, not a timeout.
#include <gtest/gtest.h>

#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "runtime/timers.hpp"

using namespace std::chrono_literals;
namespace net = cbridge::net;

namespace {

constexpr auto kNever = std::chrono::nanoseconds::max();

// A C library's pipe: not a File (a File's fd is registered already, and a
// second waiter on an fd is refused).
struct RawPipe {
  int fds[2] = {-1, -1};
  RawPipe() { EXPECT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0); }
  ~RawPipe() {
    close(fds[0]);
    close(fds[1]);
  }
  void put() { EXPECT_EQ(write(fds[1], "x", 1), 1); }
};

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

TEST(Overflow, HugeWaitAndReadDeadlinesWaitForTheEvent) {
  cbridge::run([] {
    RawPipe raw;
    std::error_code waited, read;
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      waited = net::wait_fd(raw.fds[0], net::WaitMode::Read, kNever);
      wg.done();
    });
    cbridge::sleep_for(20ms);
    raw.put();
    wg.wait();
    EXPECT_FALSE(waited) << waited.message();

    net::Pipe p = net::pipe();
    ASSERT_FALSE(p.err);
    char c = 'x';
    ASSERT_FALSE(p.reader.set_read_deadline(net::Deadline::max()));
    wg.add(1);
    cbridge::go([&] {
      char b;
      read = p.reader.read(&b, 1).err;
      wg.done();
    });
    cbridge::sleep_for(20ms);
    ASSERT_EQ(p.writer.write(&c, 1).n, 1u);
    wg.wait();
    EXPECT_FALSE(read) << read.message();
  });
}

TEST(Overflow, CWaitFdWithInt64MaxWaitsForTheEvent) {
  cbridge::run([] {
    RawPipe raw;
    int rc = -1;
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      rc = cbridge_wait_fd(raw.fds[0], CBRIDGE_WAIT_READ, INT64_MAX);
      wg.done();
    });
    cbridge::sleep_for(20ms);
    raw.put();
    wg.wait();
    EXPECT_EQ(rc, 0);
  });
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
