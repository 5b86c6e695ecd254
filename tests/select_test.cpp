// SPDX-License-Identifier: MIT
// select: ready cases, blocking, default, closed channels, fairness.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

using namespace std::chrono_literals;

namespace {

TEST(Select, TakesTheReadyReceive) {
  cbridge::run([] {
    cbridge::Chan<int> a(1), b(1);
    b.send(5);
    int got = 0;
    int i = cbridge::select(cbridge::on_recv(a, [&](std::optional<int>) { got = -1; }),
                            cbridge::on_recv(b, [&](std::optional<int> v) { got = *v; }));
    EXPECT_EQ(i, 1);
    EXPECT_EQ(got, 5);
  });
}

TEST(Select, TakesTheReadySend) {
  cbridge::run([] {
    cbridge::Chan<int> full(1), space(1);
    full.send(0);
    bool sent = false;
    int i = cbridge::select(cbridge::on_send(full, 1, [] { FAIL(); }),
                            cbridge::on_send(space, 2, [&] { sent = true; }));
    EXPECT_EQ(i, 1);
    EXPECT_TRUE(sent);
    EXPECT_EQ(space.recv(), 2);
  });
}

TEST(Select, DefaultWhenNothingIsReady) {
  cbridge::Chan<int> a;
  bool dflt = false;
  int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int>) { FAIL(); }),
                          cbridge::on_default([&] { dflt = true; }));
  EXPECT_EQ(i, 1);
  EXPECT_TRUE(dflt);
}

TEST(Select, DefaultIsNotTakenWhenACaseIsReady) {
  cbridge::Chan<int> a(1);
  a.send(3);
  int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int> v) { EXPECT_EQ(v, 3); }),
                          cbridge::on_default([] { FAIL(); }));
  EXPECT_EQ(i, 0);
}

TEST(Select, ClosedChannelIsReadyWithNullopt) {
  cbridge::Chan<int> a, b;
  b.close();
  bool closed = false;
  int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int>) { FAIL(); }),
                          cbridge::on_recv(b, [&](std::optional<int> v) { closed = !v; }));
  EXPECT_EQ(i, 1);
  EXPECT_TRUE(closed);
}

TEST(Select, SendCaseOnClosedChannelThrows) {
  cbridge::Chan<int> a;
  a.close();
  EXPECT_THROW(cbridge::select(cbridge::on_send(a, 1, [] {})), cbridge::ChannelClosed);
}

TEST(Select, BlocksUntilASendArrives) {
  cbridge::run([] {
    cbridge::Chan<int> a, b;
    cbridge::go([b]() mutable {
      cbridge::sleep_for(5ms);
      b.send(9);
    });
    int got = 0;
    int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int>) { FAIL(); }),
                            cbridge::on_recv(b, [&](std::optional<int> v) { got = *v; }));
    EXPECT_EQ(i, 1);
    EXPECT_EQ(got, 9);
    // The losing case's sudog was taken off a's queue: a send on a finds
    // no stale receiver.
    EXPECT_FALSE(a.try_send(1));
  });
}

TEST(Select, BlockedSelectIsWokenByClose) {
  cbridge::run([] {
    cbridge::Chan<int> a;
    cbridge::go([a]() mutable {
      cbridge::sleep_for(5ms);
      a.close();
    });
    bool closed = false;
    cbridge::select(cbridge::on_recv(a, [&](std::optional<int> v) { closed = !v; }));
    EXPECT_TRUE(closed);
  });
}

TEST(Select, BlockedSendCaseIsTakenByAReceiver) {
  cbridge::run([] {
    cbridge::Chan<int> a, b;
    cbridge::go([b]() mutable {
      cbridge::sleep_for(5ms);
      EXPECT_EQ(b.recv(), 4);
    });
    int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int>) { FAIL(); }),
                            cbridge::on_send(b, 4, [] {}));
    EXPECT_EQ(i, 1);
  });
}

TEST(Select, BlockedSendCaseThrowsWhenClosed) {
  cbridge::run([] {
    cbridge::Chan<int> a;
    cbridge::go([a]() mutable {
      cbridge::sleep_for(5ms);
      a.close();
    });
    EXPECT_THROW(cbridge::select(cbridge::on_send(a, 1, [] {})), cbridge::ChannelClosed);
  });
}

TEST(Select, PicksAmongReadyCasesAtRandom) {
  cbridge::Chan<int> a(1), b(1);
  int counts[2] = {0, 0};
  for (int n = 0; n < 2000; n++) {
    a.try_send(1);
    b.try_send(2);
    int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int>) {}),
                            cbridge::on_recv(b, [](std::optional<int>) {}));
    counts[i]++;
  }
  // Both must be picked often; a fixed order would give 2000/0.
  EXPECT_GT(counts[0], 500);
  EXPECT_GT(counts[1], 500);
}

TEST(Select, SameChannelInTwoCases) {
  cbridge::run([] {
    cbridge::Chan<int> a;
    cbridge::go([a]() mutable { a.send(1); });
    int i = cbridge::select(cbridge::on_recv(a, [](std::optional<int>) {}),
                            cbridge::on_recv(a, [](std::optional<int>) {}));
    EXPECT_TRUE(i == 0 || i == 1);
  });
}

TEST(Select, ManySelectorsAgainstManySenders) {
  cbridge::run([] {
    cbridge::Chan<int> a, b, quit;
    cbridge::WaitGroup wg;
    std::atomic<long> got{0};
    for (int k = 0; k < 4; k++) {
      wg.add(1);
      cbridge::go([&, a, b, quit]() mutable {
        for (bool done = false; !done;)
          cbridge::select(cbridge::on_recv(a, [&](std::optional<int> v) { got += *v; }),
                          cbridge::on_recv(b, [&](std::optional<int> v) { got += *v; }),
                          cbridge::on_recv(quit, [&](std::optional<int>) { done = true; }));
        wg.done();
      });
    }
    cbridge::WaitGroup senders;
    for (int k = 0; k < 4; k++) {
      senders.add(1);
      cbridge::go([&, a, b]() mutable {
        for (int i = 0; i < 2000; i++) (i % 2 ? a : b).send(1);
        senders.done();
      });
    }
    senders.wait();
    quit.close();
    wg.wait();
    EXPECT_EQ(got.load(), 8000);
  });
}

}  // namespace
