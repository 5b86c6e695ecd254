// SPDX-License-Identifier: MIT
// dial_tcp never returns a socket connected to itself (#11.8). The kernel
// makes one only when the ephemeral port it picks equals the free port
// dialed (7 in 500,000 dials); the test hook makes every attempt do so by
// binding the socket to the destination first (a simultaneous open).
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include "runtime/net_internal.hpp"

namespace net = cbridge::net;
namespace detail = cbridge::net::detail;

namespace {

// freePort returns a 127.0.0.1 port nobody listens on now.
uint16_t freePort() {
  auto [ln, err] = net::listen_tcp("127.0.0.1", 0);
  EXPECT_FALSE(err);
  uint16_t port = ln.port();
  ln.close();
  return port;
}

TEST(NetDialSelf, ASelfConnectionIsRetried) {
  cbridge::run([] {
    uint16_t port = freePort();
    uint64_t before = detail::selfConnects.load();
    detail::testDialToSelf = 1;  // the first attempt connects to itself
    auto [c, err] = net::dial_tcp("127.0.0.1", port);
    EXPECT_EQ(detail::testDialToSelf.load(), 0);
    EXPECT_EQ(detail::selfConnects.load(), before + 1);
    // The retry dials as usual: nobody listens there.
    EXPECT_TRUE(err == std::errc::connection_refused) << err.message();
    EXPECT_FALSE(c);
  });
}

TEST(NetDialSelf, ThreeSelfConnectionsFailTheDial) {
  cbridge::run([] {
    uint16_t port = freePort();
    uint64_t before = detail::selfConnects.load();
    detail::testDialToSelf = 5;
    auto [c, err] = net::dial_tcp("127.0.0.1", port);
    int left = detail::testDialToSelf.exchange(0);
    EXPECT_EQ(left, 2);  // three attempts, then it gives up
    EXPECT_EQ(detail::selfConnects.load(), before + 3);
    EXPECT_TRUE(err == std::errc::connection_refused) << err.message();
    EXPECT_FALSE(c);
  });
}

TEST(NetDialSelf, ADialToAListenerIsUnaffected) {
  cbridge::run([] {
    auto [ln, lerr] = net::listen_tcp("127.0.0.1", 0);
    ASSERT_FALSE(lerr);
    uint64_t before = detail::selfConnects.load();
    auto [c, err] = net::dial_tcp("127.0.0.1", ln.port());
    EXPECT_FALSE(err) << err.message();
    EXPECT_EQ(detail::selfConnects.load(), before);
    c.close();
    ln.close();
  });
}

}  // namespace
