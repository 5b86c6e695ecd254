// The preemption handshake (M::preemptExtLock) under stress: threads that
// enter and leave foreign code race preemptors; a preemption must never
// be in progress while its M is in foreign code, and every attempt either
// succeeds or is refused (preemptGen counts both).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/preempt.hpp"

namespace rt = cbridge::rt;

namespace {

struct Target {
  rt::M m;
  std::atomic<bool> inForeign{false};
  std::atomic<bool> preempting{false};
};

std::atomic<long> violations{0};

void checkedInterrupt(rt::M*, void* arg) {
  auto* t = static_cast<Target*>(arg);
  t->preempting.store(true, std::memory_order_seq_cst);
  if (t->inForeign.load(std::memory_order_seq_cst)) violations++;
  for (int i = 0; i < 20; i++) std::atomic_signal_fence(std::memory_order_seq_cst);
  if (t->inForeign.load(std::memory_order_seq_cst)) violations++;
  t->preempting.store(false, std::memory_order_seq_cst);
}

TEST(Handshake, NeverPreemptedInForeignCode) {
  constexpr int kTargets = 4, kPreemptors = 4, kRounds = 20000;
  std::vector<std::unique_ptr<Target>> targets;
  for (int i = 0; i < kTargets; i++) targets.push_back(std::make_unique<Target>());
  violations = 0;
  std::atomic<bool> stop{false};
  std::atomic<long> succeeded{0}, refused{0};

  std::vector<std::thread> threads;
  for (auto& tp : targets)
    threads.emplace_back([&, t = tp.get()] {
      for (int r = 0; r < kRounds; r++) {
        rt::preemptExtEnter(&t->m);
        t->inForeign.store(true, std::memory_order_seq_cst);
        if (t->preempting.load(std::memory_order_seq_cst)) violations++;
        t->inForeign.store(false, std::memory_order_seq_cst);
        rt::preemptExtExit(&t->m);
      }
    });
  for (int p = 0; p < kPreemptors; p++)
    threads.emplace_back([&, p] {
      for (unsigned i = p; !stop.load(std::memory_order_relaxed); i++) {
        Target* t = targets[i % kTargets].get();
        if (rt::preemptWith(&t->m, checkedInterrupt, t))
          succeeded++;
        else
          refused++;
      }
    });
  for (int i = 0; i < kTargets; i++) threads[size_t(i)].join();
  stop = true;
  for (size_t i = kTargets; i < threads.size(); i++) threads[i].join();

  EXPECT_EQ(violations.load(), 0);
  uint32_t gens = 0;
  for (auto& t : targets) {
    gens += t->m.preemptGen.load();
    EXPECT_EQ(t->m.preemptExtLock.load(), 0u);  // nobody left holding it
  }
  EXPECT_EQ(long(gens), succeeded.load() + refused.load());
  // Both outcomes happened: the race was real.
  EXPECT_GT(succeeded.load(), 0);
  EXPECT_GT(refused.load(), 0);
  rt::PreemptStats ps = rt::preemptstats();
  EXPECT_EQ(long(ps.attempts), succeeded.load() + refused.load());
  EXPECT_EQ(long(ps.refused), refused.load());
}

}  // namespace
