// SPDX-License-Identifier: MIT
// A closed File and a pollDesc reused since (#11.13): the closed File's
// operations fail with bad_file_descriptor and never reach the File that
// now has its pollDesc. (The poller's error events, which only a current
// pollDesc may take: net_pollerror_linux_test.cpp.)
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

using namespace std::chrono_literals;
namespace net = cbridge::net;

namespace {

TEST(NetClosedFile, EveryOperationFailsWithBadFileDescriptor) {
  cbridge::run([] {
    net::Pipe p = net::pipe();
    ASSERT_FALSE(p.err);
    net::File r = p.reader;
    ASSERT_FALSE(r.close());
    const auto bad = std::make_error_code(std::errc::bad_file_descriptor);
    char c;
    EXPECT_EQ(r.read(&c, 1).err, bad);
    EXPECT_EQ(r.write("x", 1).err, bad);
    EXPECT_EQ(r.set_deadline(std::chrono::steady_clock::now()), bad);
    EXPECT_EQ(r.set_read_deadline({}), bad);
    EXPECT_EQ(r.set_write_deadline({}), bad);
    EXPECT_EQ(r.close(), bad);
    p.writer.close();
  });
}

// The pollDesc of a closed File goes to the next File opened (the cache
// is LIFO); a deadline set through the old File must not expire the new
// one's read, which waits for a byte written 5 ms later.
TEST(NetClosedFile, ADeadlineAfterCloseDoesNotReachTheReusedPollDesc) {
  cbridge::run([] {
    net::Pipe old = net::pipe();
    ASSERT_FALSE(old.err);
    old.writer.close();
    net::File stale = old.reader;
    stale.close();
    net::Pipe p = net::pipe();  // its reader takes the pollDesc stale had
    ASSERT_FALSE(p.err);
    cbridge::WaitGroup wrote;
    wrote.add(1);
    cbridge::go([w = p.writer, &wrote]() mutable {
      cbridge::sleep_for(5ms);
      EXPECT_EQ(w.write("!", 1).n, 1u);
      wrote.done();
    });
    EXPECT_EQ(stale.set_deadline(std::chrono::steady_clock::now() - 1s),
              std::make_error_code(std::errc::bad_file_descriptor));
    char c = 0;
    net::IoResult got = p.reader.read(&c, 1);
    EXPECT_FALSE(got.err) << got.err.message();
    EXPECT_EQ(c, '!');
    wrote.wait();
    p.reader.close();
    p.writer.close();
  });
}

}  // namespace
