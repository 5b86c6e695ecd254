// SPDX-License-Identifier: MIT
// Huge deadlines mean "never" (overflow_deadline_test.cpp) for waits on a
// C library's fd too: a POSIX pipe here, as Windows' wait_fd takes a
// socket instead.
#include <gtest/gtest.h>

#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <chrono>
#include <cstdint>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

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

}  // namespace
