// SPDX-License-Identifier: MIT
// The netpoller's rules that need the runtime not to be running (no other
// M may poll meanwhile): seed 000's break rule and its fatal for an epoll
// entry that is neither the break nor one of our pollDescs.
#include <gtest/gtest.h>
#include <sys/epoll.h>

#include <cstdint>

#include "runtime/netpoll.hpp"

namespace rt = cbridge::rt;

namespace {

// A poll that does not block (after a write, or sysmon's) must leave the
// break for the poller it was written for: it is still there for the next
// blocking poll, which drains it, and nothing counts as lost.
TEST(NetpollRules, OnlyABlockingPollDrainsTheBreak) {
  rt::netpollinit();
  rt::WakeList list;
  rt::netpoll(1, &list);  // drains a break some earlier test left, if any
  rt::NetpollStats before = rt::netpollstats();
  rt::netpollBreak();
  rt::netpoll(0, &list);
  rt::netpoll(0, &list);
  EXPECT_EQ(rt::netpollstats().breaks, before.breaks);
  // Bounded: the break is there, so this returns at once; were it lost,
  // after 10 s with nothing drained.
  rt::netpoll(10'000'000'000, &list);
  rt::NetpollStats after = rt::netpollstats();
  EXPECT_EQ(after.breaks, before.breaks + 1);
  EXPECT_EQ(after.breaksLost, 0u);
  EXPECT_EQ(list.n, 0);
}

TEST(NetpollRules, ANonBlockingPollLeavesTheBreakEntry) {
  rt::netpollinit();
  rt::WakeList list;
  rt::NetpollStats before = rt::netpollstats();
  EXPECT_EQ(rt::pollevent(uint64_t(rt::PollSource::Break), EPOLLIN, 0, &list), 0);
  EXPECT_EQ(rt::netpollstats().breaks, before.breaks);
  EXPECT_EQ(rt::netpollstats().breaksLost, 0u);
}

// Data that is no pollDesc of ours — a null pointer with the ready
// source, a pointer into nowhere, an unknown source — is a fatal error
// with a message, never a read through the pointer (SIGSEGV).
void deliver(uint64_t data) {
  rt::netpollinit();
  rt::WakeList list;
  rt::pollevent(data, EPOLLIN, -1, &list);
}

TEST(NetpollRulesDeathTest, UnknownEventSourceIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const char* want = "fatal error: netpoll: unknown event source";
  EXPECT_EXIT(deliver(uint64_t(rt::PollSource::Ready)), testing::ExitedWithCode(2), want);
  EXPECT_EXIT(deliver(rt::polltag(reinterpret_cast<const rt::PollDesc*>(uintptr_t(0x00007f0000001240)), 0)),
              testing::ExitedWithCode(2), want);
  EXPECT_EXIT(deliver(0xdead0003), testing::ExitedWithCode(2), want);
  EXPECT_EXIT(deliver(0), testing::ExitedWithCode(2), want);
}

}  // namespace
