// SPDX-License-Identifier: MIT
// The free Gs in their span sets (sched.gfreeStack, gfreeNoStack): Gs that
// finish beyond what a P keeps go to the sets in batches, and come back
// from them to whichever P makes tasks, instead of new Gs being made.
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include "runtime/lock.hpp"
#include "runtime/proc.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/stack.hpp"

namespace {

namespace rt = cbridge::rt;

int64_t allgCount() {
  rt::LockGuard g(rt::sched->lock);
  int64_t n = 0;
  for (rt::G* gp = rt::sched->allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) n++;
  return n;
}

// spawnWave has n tasks alive at once: each waits until all are made,
// then they finish, on both Ps.
void spawnWave(int n) {
  cbridge::WaitGroup made, finished;
  made.add(n);
  finished.add(n);
  for (int i = 0; i < n; i++)
    cbridge::go([&] {
      made.done();
      made.wait();
      finished.done();
    });
  finished.wait();
}

TEST(GFree, FinishedTasksGsAreReusedThroughTheSets) {
  cbridge::run([] {
    constexpr int kWave = 2000;
    spawnWave(kWave);
    int64_t after1 = allgCount();
    uint64_t batches = 0;
    for (int round = 0; round < 20; round++) {
      spawnWave(kWave);
      batches += rt::sched->gfreeStack.size() + rt::sched->gfreeNoStack.size();
    }
    // Every wave after the first finds its Gs free: on the Ps' own lists
    // (at most 64 each) or in the sets (a pop that meets a block being
    // installed may miss one). Had the sets lost them, each wave would
    // make most of its 2,000 anew.
    EXPECT_LT(allgCount() - after1, kWave / 10);
    EXPECT_GT(batches, 0u) << "no batch of free Gs ever reached the sets";
  });
}

// Scavenging: free Gs in gfreeStack that no P took for a whole period
// give their stacks to the stack cache (and move to gfreeNoStack); cached
// stacks idle for a period go back to the OS, down to a floor of 64. The
// test scavenges beside sysmon, which does the same every 2 s.
TEST(GFree, IdleFreeGsGiveTheirStacksBack) {
  cbridge::run([] {
    spawnWave(2000);
    ASSERT_GT(rt::sched->ngfreeStack.load(), 0);
    uint32_t bareBatches = rt::sched->gfreeNoStack.size();
    rt::gfscavenge();  // opens a period (sysmon may have opened one too)
    rt::gfscavenge();  // nothing was taken since: every G's stack goes
    EXPECT_EQ(rt::sched->ngfreeStack.load(), 0);
    EXPECT_EQ(rt::sched->gfreeStack.size(), 0u);
    EXPECT_GT(rt::sched->gfreeNoStack.size(), bareBatches);
    EXPECT_GT(rt::stackcached(), 1000u);
    rt::stackcachescavenge();  // sysmon's stackscavenge runs it too, and is only sysmon's
    rt::stackcachescavenge();
    EXPECT_LE(rt::stackcached(), 64u);
    spawnWave(2000);  // Gs without stacks get new ones
  });
}

}  // namespace
