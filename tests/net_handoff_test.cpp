// SPDX-License-Identifier: MIT
// Data handed from one thread to another through an fd alone: the kernel
// orders the write before the read, and the runtime tells
// ThreadSanitizer so (runtime/tsan_io.hpp). Under TSan, without that, this
// test is reported as a data race on `payload`; in other builds it checks
// the bytes.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <thread>

namespace net = cbridge::net;

namespace {

TEST(NetHandoff, WriteThenReadOrdersPlainMemory) {
  for (int round = 0; round < 50; round++) {
    net::Pipe p = net::pipe();
    ASSERT_FALSE(p.err);
    int payload = 0;  // plain memory, ordered only by the pipe
    std::thread writer([&payload, round, w = p.writer]() mutable {
      payload = round + 1;
      EXPECT_EQ(w.write("x", 1).n, 1u);
    });
    // This thread parks on the poller until the byte arrives (or finds it
    // there): either way only the fd orders the two threads.
    char c;
    net::IoResult r = p.reader.read(&c, 1);
    EXPECT_FALSE(r.err);
    EXPECT_EQ(payload, round + 1);
    writer.join();
    p.reader.close();
    p.writer.close();
  }
}

}  // namespace
