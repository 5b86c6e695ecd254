// SPDX-License-Identifier: MIT
// The span set (runtime/spanset.hpp): the seed's race played out
// deterministically through test hooks, under the seed's rule and under
// the old one it replaced (which must be seen to leak); reset's checks;
// and stress with accounting at quiescence.
#include "runtime/spanset.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tsan_limits.hpp"

namespace {

using cbridge::rt::SpanSet;

struct Item {
  uint32_t id = 0;
};

// Hooks that stop the pop that claims index pauseAt until released, and
// record what the free of a block saw.
template <bool Old>
struct RaceHooks {
  static constexpr bool kOldFreeRule = Old;
  static constexpr uint32_t kStartIndex = 0;
  static inline std::atomic<int64_t> pauseAt{-1};
  static inline std::atomic<bool> paused{false};
  static inline std::atomic<bool> release{false};
  static inline std::atomic<int> reads{0};
  static inline std::atomic<int> frees{0};
  static inline std::atomic<int> readsAtFree{-1};

  static void reset() {
    pauseAt = -1;
    paused = false;
    release = false;
    reads = 0;
    frees = 0;
    readsAtFree = -1;
  }
  static void afterClaim(uint32_t head) {
    if (int64_t(head) != pauseAt.load()) return;
    paused = true;
    while (!release.load()) std::this_thread::yield();
  }
  static void afterRead(uint32_t) { reads++; }
  static void beforeFree(const void*) {
    frees++;
    readsAtFree = reads.load();
  }
};

constexpr uint32_t kN = 4;

struct RaceResult {
  int frees;        // blocks freed
  int readsAtFree;  // slots read when the block was freed
  uint32_t blocksLeftInSpine;
  int64_t made, pooled;
};

// The seed's race: pops take slots 0 and 1 of a block; popper A claims
// slot N-2 and is stopped before it reads; popper B claims slot N-1 and
// finishes; then A finishes.
template <bool Old>
RaceResult playSeedRace() {
  using Hooks = RaceHooks<Old>;
  using Set = SpanSet<Item, 4, kN, Hooks>;
  Hooks::reset();
  static typename Set::Pool pool;
  const int64_t made0 = pool.made(), pooled0 = pool.pooled();
  Set set(pool);
  Item items[kN];
  for (uint32_t i = 0; i < kN; i++) {
    items[i].id = i;
    EXPECT_TRUE(set.push(&items[i]));
  }
  EXPECT_EQ(set.pop(), &items[0]);
  EXPECT_EQ(set.pop(), &items[1]);
  Hooks::pauseAt = kN - 2;
  Item* gotA = nullptr;
  std::thread a([&] { gotA = set.pop(); });
  while (!Hooks::paused.load()) std::this_thread::yield();
  EXPECT_EQ(set.pop(), &items[kN - 1]);  // B
  EXPECT_EQ(Hooks::frees.load(), 0) << "freed while popper A had not read its slot";
  Hooks::release = true;
  a.join();
  EXPECT_EQ(gotA, &items[kN - 2]);
  EXPECT_EQ(set.size(), 0u);
  RaceResult r{Hooks::frees.load(), Hooks::readsAtFree.load(), set.spineBlocks(), pool.made() - made0,
               pool.pooled() - pooled0};
  if (r.blocksLeftInSpine == 0) set.reset();
  return r;
}

// The checks of the seed's race: the block is freed exactly once, only
// after both poppers read their slots, and is not left in the spine.
template <bool Old>
void checkSeedRace() {
  RaceResult r = playSeedRace<Old>();
  // One failure naming every problem, so that the old rule's test can
  // expect exactly one.
  std::string problems;
  if (r.frees != 1) problems += "the block was freed " + std::to_string(r.frees) + " times, not once; ";
  if (r.frees > 0 && r.readsAtFree != int(kN)) problems += "the block was freed before every slot was read; ";
  if (r.blocksLeftInSpine != 0 || r.made != r.pooled) problems += "the block leaked; ";
  EXPECT_EQ(problems, "");
}

TEST(SpanSet, SeedRaceFreesTheBlockOnceAfterBothRead) { checkSeedRace<false>(); }

// The same test under the rule the seed replaced (the claimer of the last
// slot frees, if no slot is in use; the claimer of an earlier slot never
// does) must fail: nobody frees the block.
TEST(SpanSet, SeedRaceTestFailsUnderTheOldRule) {
  EXPECT_NONFATAL_FAILURE(checkSeedRace<true>(), "the block leaked");
}

// Plays the race under the old rule, then resets: reset must find the
// block nobody freed (the head is past it, at the next block's start).
void resetAfterTheOldRulesLeak() {
  using Hooks = RaceHooks<true>;
  using Set = SpanSet<Item, 4, kN, Hooks>;
  Hooks::reset();
  Set set;
  Item items[kN];
  for (auto& it : items) set.push(&it);
  set.pop();
  set.pop();
  Hooks::pauseAt = kN - 2;
  std::thread a([&] { set.pop(); });
  while (!Hooks::paused.load()) std::this_thread::yield();
  set.pop();
  Hooks::release = true;
  a.join();
  set.reset();
}

void resetNonEmpty() {
  SpanSet<Item, 4, kN> set;
  Item it;
  set.push(&it);
  set.reset();
}

TEST(SpanSetDeathTest, ResetFindsTheOldRulesLeakedBlock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(resetAfterTheOldRulesLeak(), testing::ExitedWithCode(2),
              "fatal error: span set block leaked: ring slot 0 holds the block of lap 0, fully popped, "
              "never freed");
}

TEST(SpanSetDeathTest, ResetRefusesANonEmptySet) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(resetNonEmpty(), testing::ExitedWithCode(2),
              "fatal error: attempt to clear non-empty span set \\(head = 0, tail = 1\\)");
}

TEST(SpanSet, ResetFreesTheHeadsBlock) {
  using Set = SpanSet<Item, 4, kN>;
  static Set::Pool pool;
  Set set(pool);
  Item items[kN + 2];
  for (auto& it : items) ASSERT_TRUE(set.push(&it));
  for (size_t i = 0; i < kN + 2; i++) ASSERT_NE(set.pop(), nullptr);
  EXPECT_EQ(set.pop(), nullptr);
  EXPECT_EQ(set.spineBlocks(), 1u);  // the second block, half popped, may be pushed into again
  set.reset();
  EXPECT_EQ(set.spineBlocks(), 0u);
  EXPECT_EQ(pool.made(), pool.pooled());
}

// The ring holds (C-1)*N items; a push past that fails and changes
// nothing.
TEST(SpanSet, PushFailsWhenFull) {
  SpanSet<Item, 4, kN> set;
  std::vector<Item> items(set.capacity() + 1);
  for (uint32_t i = 0; i < set.capacity(); i++) ASSERT_TRUE(set.push(&items[i]));
  EXPECT_FALSE(set.push(&items.back()));
  EXPECT_EQ(set.size(), set.capacity());
  for (uint32_t i = 0; i < set.capacity(); i++) ASSERT_EQ(set.pop(), &items[i]);
  EXPECT_EQ(set.pop(), nullptr);
  set.reset();
}

template <uint32_t Start>
struct StartAt : cbridge::rt::NoSpanSetHooks {
  static constexpr uint32_t kStartIndex = Start;
};

// Stress: pushers and poppers, every item popped exactly once, and the
// blocks accounted for at quiescence. Small blocks and a small ring, so
// that blocks are freed and laps reuse ring slots all the time; indexes
// that start just below 2^32, so that they wrap.
template <class Set>
void stress(int pushers, int poppers, uint32_t total) {
  static typename Set::Pool pool;  // one per Set type: each is used by one test
  Set set(pool);
  std::unique_ptr<Item[]> items(new Item[total]);
  std::unique_ptr<std::atomic<uint8_t>[]> seen(new std::atomic<uint8_t>[total]);
  for (uint32_t i = 0; i < total; i++) {
    items[i].id = i;
    seen[i] = 0;
  }
  std::atomic<uint32_t> popped{0};
  std::atomic<uint64_t> fullPushes{0};
  auto popOne = [&] {
    Item* it = set.pop();
    if (it == nullptr) return false;
    seen[it->id].fetch_add(1, std::memory_order_relaxed);
    popped.fetch_add(1, std::memory_order_relaxed);
    return true;
  };
  std::vector<std::thread> threads;
  for (int p = 0; p < pushers; p++)
    threads.emplace_back([&, p] {
      for (uint32_t i = p; i < total; i += pushers)
        while (!set.push(&items[i])) {
          fullPushes.fetch_add(1, std::memory_order_relaxed);
          std::this_thread::yield();
        }
    });
  for (int p = 0; p < poppers; p++)
    threads.emplace_back([&] {
      while (popped.load(std::memory_order_relaxed) < total)
        if (!popOne()) std::this_thread::yield();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(popped.load(), total);
  uint32_t wrong = 0;
  for (uint32_t i = 0; i < total; i++) wrong += seen[i].load() != 1;
  EXPECT_EQ(wrong, 0u) << "items popped other than exactly once";
  EXPECT_EQ(set.size(), 0u);
  // Quiescent: every block made is in the pool or in the ring.
  EXPECT_EQ(pool.made(), pool.pooled() + set.spineBlocks());
  EXPECT_LE(set.spineBlocks(), 1u);
  set.reset();
  EXPECT_EQ(pool.made(), pool.pooled());
  std::printf("%u items, %d pushers, %d poppers: %lld blocks made, %llu pushes found the set full\n", total,
              pushers, poppers, static_cast<long long>(pool.made()),
              static_cast<unsigned long long>(fullPushes.load()));
}

// 10 million items; a tenth under ThreadSanitizer, which runs every atomic
// through its runtime.
constexpr uint32_t kStressItems = cbridge_test::kTsanBuild ? 1'000'000 : 10'000'000;
using StressSet = SpanSet<Item, 8, kN, StartAt<0xFFFF'FF00u>>;

TEST(SpanSetStress, TwoThreads) { stress<StressSet>(1, 1, kStressItems); }
TEST(SpanSetStress, EightThreadsOversubscribed) { stress<StressSet>(4, 4, kStressItems); }
// The runtime's block size.
TEST(SpanSetStress, EightThreadsRuntimeBlocks) { stress<SpanSet<Item, 8>>(4, 4, kStressItems / 10); }

}  // namespace
