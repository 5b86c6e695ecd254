// SPDX-License-Identifier: MIT
// The poller's error events (EPOLLERR), which only a current pollDesc may
// take (#11.13): Linux's, on a tun device.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace {

// A tun device with no interface attached polls as EPOLLERR alone: it
// cannot be waited on, and a read wait says so (-EIO) instead of
// returning "ready" for ever or hanging.
int openTun() {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) std::printf("[  SKIPPED ] /dev/net/tun: %s\n", std::strerror(errno));
  return fd;
}

TEST(NetPollError, AReadWaitOnAnErrorOnlyFdFailsWithEIO) {
  int fd = openTun();
  if (fd < 0) GTEST_SKIP() << "cannot open /dev/net/tun";
  cbridge::run([fd] {
    EXPECT_EQ(cbridge_wait_fd(fd, CBRIDGE_WAIT_READ, 5'000'000'000), -EIO);
    // Again: the error bit is the pollDesc's, which this wait opened anew.
    EXPECT_EQ(cbridge_wait_fd(fd, CBRIDGE_WAIT_READ, 5'000'000'000), -EIO);
  });
  close(fd);
}

}  // namespace
