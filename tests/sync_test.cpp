// SPDX-License-Identifier: MIT
// Mutex and WaitGroup under contention, from tasks and threads.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

TEST(Mutex, ExcludesUnderContention) {
  cbridge::run([] {
    cbridge::Mutex mu;
    long counter = 0;  // guarded by mu; a lost update shows as a short count
    cbridge::WaitGroup wg;
    for (int t = 0; t < 64; t++) {
      wg.add(1);
      cbridge::go([&] {
        for (int i = 0; i < 2000; i++) {
          std::lock_guard<cbridge::Mutex> g(mu);
          long v = counter;
          if (i % 100 == 0) cbridge::yield();  // park while holding it
          counter = v + 1;
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(counter, 64L * 2000);
  });
}

TEST(Mutex, TasksAndThreadsShareIt) {
  cbridge::Mutex mu;
  long counter = 0;
  cbridge::WaitGroup wg;
  for (int t = 0; t < 8; t++) {
    wg.add(1);
    cbridge::go([&] {
      for (int i = 0; i < 5000; i++) {
        std::lock_guard<cbridge::Mutex> g(mu);
        counter++;
      }
      wg.done();
    });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; i++) {
        std::lock_guard<cbridge::Mutex> g(mu);
        counter++;
      }
    });
  for (auto& th : threads) th.join();
  wg.wait();
  EXPECT_EQ(counter, 12L * 5000);
}

TEST(Mutex, TryLock) {
  cbridge::Mutex mu;
  EXPECT_TRUE(mu.try_lock());
  EXPECT_FALSE(mu.try_lock());
  mu.unlock();
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(WaitGroup, WaitsForAll) {
  cbridge::run([] {
    cbridge::WaitGroup wg;
    std::atomic<int> done{0};
    for (int i = 0; i < 1000; i++) {
      wg.add(1);
      cbridge::go([&] {
        cbridge::yield();
        done++;
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(done.load(), 1000);
  });
}

TEST(WaitGroup, ManyWaitersReleasedTogether) {
  cbridge::run([] {
    cbridge::WaitGroup gate, waiters;
    gate.add(1);
    std::atomic<int> released{0};
    for (int i = 0; i < 100; i++) {
      waiters.add(1);
      cbridge::go([&] {
        gate.wait();
        released++;
        waiters.done();
      });
    }
    cbridge::sleep_for(5ms);
    EXPECT_EQ(released.load(), 0);
    gate.done();
    waiters.wait();
    EXPECT_EQ(released.load(), 100);
  });
}

TEST(WaitGroup, WaitOnZeroReturnsAtOnce) {
  cbridge::WaitGroup wg;
  wg.wait();
  wg.add(2);
  wg.add(-2);
  wg.wait();
}

TEST(WaitGroup, PlainThreadWaitsForTasks) {
  cbridge::WaitGroup wg;
  std::atomic<int> n{0};
  for (int i = 0; i < 100; i++) {
    wg.add(1);
    cbridge::go([&] {
      cbridge::sleep_for(1ms);
      n++;
      wg.done();
    });
  }
  wg.wait();
  EXPECT_EQ(n.load(), 100);
}

}  // namespace
