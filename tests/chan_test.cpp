// SPDX-License-Identifier: MIT
// Channels: every send/receive/close case of Go's chan, from tasks and
// from plain threads.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

TEST(Chan, UnbufferedHandsOffInOrder) {
  cbridge::run([] {
    cbridge::Chan<int> c;
    cbridge::go([c]() mutable {
      for (int i = 0; i < 1000; i++) c.send(i);
      c.close();
    });
    int want = 0;
    while (auto v = c.recv()) EXPECT_EQ(*v, want++);
    EXPECT_EQ(want, 1000);
  });
}

TEST(Chan, UnbufferedSendWaitsForReceiver) {
  cbridge::run([] {
    cbridge::Chan<int> c;
    EXPECT_FALSE(c.try_send(1));  // nobody receiving
    EXPECT_EQ(c.try_recv(), std::nullopt);
    std::atomic<bool> sent{false};
    cbridge::go([c, &sent]() mutable {
      c.send(7);
      sent = true;
    });
    cbridge::sleep_for(5ms);
    EXPECT_FALSE(sent.load());
    EXPECT_EQ(c.recv(), 7);
  });
}

TEST(Chan, BufferedFillsThenBlocks) {
  cbridge::run([] {
    cbridge::Chan<int> c(3);
    EXPECT_EQ(c.capacity(), 3u);
    EXPECT_TRUE(c.try_send(1));
    EXPECT_TRUE(c.try_send(2));
    EXPECT_TRUE(c.try_send(3));
    EXPECT_FALSE(c.try_send(4));
    EXPECT_EQ(c.size(), 3u);
    cbridge::go([c]() mutable { c.send(4); });  // blocks until a slot frees
    EXPECT_EQ(c.recv(), 1);
    EXPECT_EQ(c.recv(), 2);
    EXPECT_EQ(c.recv(), 3);
    EXPECT_EQ(c.recv(), 4);
  });
}

TEST(Chan, CloseDrainsBufferThenReportsClosed) {
  cbridge::run([] {
    cbridge::Chan<std::string> c(2);
    c.send("a");
    c.send("b");
    c.close();
    EXPECT_EQ(c.recv(), "a");
    EXPECT_EQ(c.recv(), "b");
    EXPECT_EQ(c.recv(), std::nullopt);
    EXPECT_EQ(c.try_recv(), std::nullopt);
  });
}

TEST(Chan, SendOnClosedThrows) {
  cbridge::Chan<int> c(1);
  c.close();
  EXPECT_THROW(c.send(1), cbridge::ChannelClosed);
  EXPECT_THROW(c.try_send(1), cbridge::ChannelClosed);
}

TEST(Chan, CloseOfClosedThrows) {
  cbridge::Chan<int> c;
  c.close();
  EXPECT_THROW(c.close(), cbridge::ChannelClosed);
}

TEST(Chan, CloseWakesBlockedReceiversAndSenders) {
  cbridge::run([] {
    cbridge::Chan<int> r, s;
    cbridge::WaitGroup wg;
    std::atomic<int> receiversSawClose{0}, sendersThrew{0};
    for (int i = 0; i < 5; i++) {
      wg.add(2);
      cbridge::go([&, r]() mutable {
        if (!r.recv()) receiversSawClose++;
        wg.done();
      });
      cbridge::go([&, s]() mutable {
        try {
          s.send(1);
        } catch (const cbridge::ChannelClosed&) {
          sendersThrew++;
        }
        wg.done();
      });
    }
    cbridge::sleep_for(10ms);  // let them block
    r.close();
    s.close();
    wg.wait();
    EXPECT_EQ(receiversSawClose.load(), 5);
    EXPECT_EQ(sendersThrew.load(), 5);
  });
}

TEST(Chan, MoveOnlyValues) {
  cbridge::run([] {
    cbridge::Chan<std::unique_ptr<int>> c(1);
    c.send(std::make_unique<int>(42));
    auto v = c.recv();
    ASSERT_TRUE(v && *v);
    EXPECT_EQ(**v, 42);
  });
}

TEST(Chan, BufferedElementsAreDestroyedWithTheChannel) {
  auto p = std::make_shared<int>(1);
  {
    cbridge::Chan<std::shared_ptr<int>> c(4);
    c.send(p);
    c.send(p);
    EXPECT_EQ(p.use_count(), 3);
  }
  EXPECT_EQ(p.use_count(), 1);
}

TEST(Chan, WorksBetweenPlainThreadsAndTasks) {
  cbridge::Chan<int> c;
  cbridge::Chan<int> back;
  cbridge::go([c, back]() mutable {
    while (auto v = c.recv()) back.send(*v * 2);
    back.close();
  });
  std::thread producer([c]() mutable {
    for (int i = 0; i < 100; i++) c.send(i);
    c.close();
  });
  long sum = 0;
  while (auto v = back.recv()) sum += *v;
  producer.join();
  EXPECT_EQ(sum, 2 * 99 * 100 / 2);
}

TEST(Chan, ManyProducersManyConsumers) {
  cbridge::run([] {
    cbridge::Chan<int> c(8);
    cbridge::WaitGroup producers, consumers;
    std::atomic<long> sum{0};
    for (int p = 0; p < 8; p++) {
      producers.add(1);
      cbridge::go([&, c]() mutable {
        for (int i = 1; i <= 1000; i++) c.send(i);
        producers.done();
      });
    }
    for (int k = 0; k < 8; k++) {
      consumers.add(1);
      cbridge::go([&, c]() mutable {
        while (auto v = c.recv()) sum += *v;
        consumers.done();
      });
    }
    producers.wait();
    c.close();
    consumers.wait();
    EXPECT_EQ(sum.load(), 8L * 1000 * 1001 / 2);
  });
}

}  // namespace
