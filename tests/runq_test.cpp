// SPDX-License-Identifier: MIT
// The P's local run queue: FIFO, runnext, overflow to the global queue,
// and stealing racing the owner.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "runtime/runq.hpp"

namespace rt = cbridge::rt;

namespace {

// The run queue's overflow goes to the global queue, so these tests use a
// private Sched. They are their own executable, which never starts the
// runtime: no M or sysmon can see the swapped pointer.
class RunqTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = rt::sched;
    rt::sched = &priv_;
    priv_.gomaxprocs = 2;
  }
  void TearDown() override { rt::sched = saved_; }

  rt::Sched priv_;
  rt::Sched* saved_ = nullptr;
};

TEST_F(RunqTest, FifoWithRunnextFirst) {
  rt::P p;
  std::vector<rt::G> gs(5);
  for (int i = 0; i < 4; i++) rt::runqput(&p, &gs[size_t(i)], false);
  rt::runqput(&p, &gs[4], true);
  EXPECT_EQ(rt::runqget(&p), &gs[4]);
  for (int i = 0; i < 4; i++) EXPECT_EQ(rt::runqget(&p), &gs[size_t(i)]);
  EXPECT_EQ(rt::runqget(&p), nullptr);
  EXPECT_TRUE(rt::runqempty(&p));
}

TEST_F(RunqTest, RunnextKicksTheOldOneToTheQueue) {
  rt::P p;
  rt::G a, b;
  rt::runqput(&p, &a, true);
  rt::runqput(&p, &b, true);
  EXPECT_EQ(rt::runqget(&p), &b);
  EXPECT_EQ(rt::runqget(&p), &a);
}

TEST_F(RunqTest, OverflowMovesHalfToGlobal) {
  rt::P p;
  std::vector<rt::G> gs(rt::kRunqSize + 1);
  for (auto& g : gs) rt::runqput(&p, &g, false);
  EXPECT_EQ(priv_.runqsize.load(), int32_t(rt::kRunqSize / 2 + 1));
  std::set<rt::G*> seen;
  while (rt::G* g = rt::runqget(&p)) seen.insert(g);
  for (rt::G* g = priv_.runqhead; g != nullptr; g = g->schedlink) seen.insert(g);
  EXPECT_EQ(seen.size(), gs.size());
}

TEST_F(RunqTest, StealTakesHalf) {
  rt::P victim, thief;
  std::vector<rt::G> gs(10);
  for (auto& g : gs) rt::runqput(&victim, &g, false);
  rt::G* got = rt::runqsteal(&thief, &victim, false);
  ASSERT_NE(got, nullptr);
  int stolen = 1;
  while (rt::runqget(&thief)) stolen++;
  EXPECT_EQ(stolen, 5);
}

TEST_F(RunqTest, OwnerAndThievesNeverLoseOrDuplicate) {
  constexpr int kG = 200000;
  auto gs = std::make_unique<rt::G[]>(kG);
  rt::P owner;
  std::vector<std::unique_ptr<rt::P>> thieves;
  for (int i = 0; i < 2; i++) thieves.push_back(std::make_unique<rt::P>());
  std::vector<std::atomic<int>> taken(kG);
  std::atomic<bool> done{false};
  auto mark = [&](rt::G* g) { taken[size_t(g - gs.get())]++; };
  std::vector<std::thread> ts;
  for (auto& t : thieves)
    ts.emplace_back([&, tp = t.get()] {
      while (!done) {
        if (rt::G* g = rt::runqsteal(tp, &owner, true)) {
          mark(g);
          while (rt::G* h = rt::runqget(tp)) mark(h);
        }
      }
    });
  for (int i = 0; i < kG; i++) {
    rt::runqput(&owner, &gs[i], i % 7 == 0);
    if (i % 3 == 0)
      if (rt::G* g = rt::runqget(&owner)) mark(g);
  }
  while (rt::G* g = rt::runqget(&owner)) mark(g);
  done = true;
  for (auto& t : ts) t.join();
  for (auto& t : thieves)
    while (rt::G* g = rt::runqget(t.get())) mark(g);
  for (rt::G* g = priv_.runqhead; g != nullptr; g = g->schedlink) mark(g);
  for (int i = 0; i < kG; i++) ASSERT_EQ(taken[size_t(i)].load(), 1) << "G " << i;
}

}  // namespace
