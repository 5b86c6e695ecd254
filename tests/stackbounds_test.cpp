// SPDX-License-Identifier: MIT
// The bounds arithmetic of callbackUpdateSystemStack, on an M made here:
// no runtime needed.
#include <gtest/gtest.h>

#include <memory>

#include "stackbounds/stackbounds.hpp"

namespace sb = cbridge::stackbounds;
namespace rt = cbridge::rt;

namespace {

uint64_t updates(const rt::M& m) { return m.boundUpdates.load(); }

// An address on this thread's real stack (a frame address: a sanitizer
// may move locals to a heap-allocated fake frame).
__attribute__((noinline)) uintptr_t hereSP() {
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) & ~uintptr_t(15);
}

std::unique_ptr<rt::M> extraM() {
  auto m = std::make_unique<rt::M>();
  m->isextra = true;
  return m;
}

TEST(StackBounds, FirstCallOnTheThreadStackGetsItsExactBounds) {
  auto m = extraM();
  uintptr_t sp = hereSP();
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  EXPECT_TRUE(m->g0StackAccurate);
  EXPECT_TRUE(sb::inBounds(sp, m->g0lo, m->g0hi));
  EXPECT_GT(m->g0hi - m->g0lo, 64u * 1024);  // a pthread stack, not the estimate
  EXPECT_EQ(updates(*m), 1u);
}

TEST(StackBounds, InBoundsAndExactChangesNothing) {
  auto m = extraM();
  uintptr_t sp = hereSP();
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  uintptr_t lo = m->g0lo, hi = m->g0hi;
  for (int i = 0; i < 100; i++) sb::callbackUpdateSystemStack(m.get(), sp - 64 * uintptr_t(i), false);
  EXPECT_EQ(m->g0lo, lo);
  EXPECT_EQ(m->g0hi, hi);
  EXPECT_EQ(updates(*m), 1u);  // the counter moves only when the stack changed
}

TEST(StackBounds, AStackOutsideThePthreadStackGetsTheEstimate) {
  auto m = extraM();
  sb::callbackUpdateSystemStack(m.get(), hereSP(), false);
  static char coroutine[256 * 1024];
  uintptr_t sp = reinterpret_cast<uintptr_t>(coroutine + sizeof coroutine / 2) & ~uintptr_t(15);
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  EXPECT_FALSE(m->g0StackAccurate);
  EXPECT_EQ(m->g0lo, sp - sb::kEstimateBelow);
  EXPECT_EQ(m->g0hi, sp + sb::kEstimateAbove);
  EXPECT_EQ(updates(*m), 2u);
  // Back on the thread's stack: exact again, one more refresh.
  sb::callbackUpdateSystemStack(m.get(), hereSP(), false);
  EXPECT_TRUE(m->g0StackAccurate);
  EXPECT_EQ(updates(*m), 3u);
}

TEST(StackBounds, AnEstimateFollowsSpWithoutCountingARefresh) {
  auto m = extraM();
  static char coroutine[256 * 1024];
  uintptr_t sp = reinterpret_cast<uintptr_t>(coroutine + sizeof coroutine / 2) & ~uintptr_t(15);
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  EXPECT_EQ(updates(*m), 1u);
  // In bounds of an estimate: recomputed around the new sp (it may be
  // another stack that overlaps the guess), not counted as a new stack.
  sb::callbackUpdateSystemStack(m.get(), sp - 4096, false);
  EXPECT_EQ(m->g0lo, sp - 4096 - sb::kEstimateBelow);
  EXPECT_EQ(updates(*m), 1u);
}

TEST(StackBounds, BelowAndAboveAreOutOfBounds) {
  auto m = extraM();
  static char coroutine[256 * 1024];
  uintptr_t sp = reinterpret_cast<uintptr_t>(coroutine + sizeof coroutine / 2) & ~uintptr_t(15);
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  uintptr_t lo = m->g0lo, hi = m->g0hi;
  EXPECT_FALSE(sb::inBounds(lo - 1, lo, hi));
  EXPECT_TRUE(sb::inBounds(lo, lo, hi));
  EXPECT_TRUE(sb::inBounds(hi - 1, lo, hi));
  EXPECT_FALSE(sb::inBounds(hi, lo, hi));
  sb::callbackUpdateSystemStack(m.get(), lo - 64, false);  // below: a new stack
  EXPECT_EQ(updates(*m), 2u);
  sb::callbackUpdateSystemStack(m.get(), m->g0hi + 64, false);  // above: a new stack
  EXPECT_EQ(updates(*m), 3u);
}

// Managed frames up the stack (ncgo > 0), C went deeper than the estimate
// around the first callback: the same stack, taken afresh with its top
// kept (golang/go#68285's class), not a fatal.
TEST(StackBounds, BelowAnEstimateUnderManagedFramesIsTheSameStackDeeper) {
  auto m = extraM();
  static char coroutine[512 * 1024];
  uintptr_t sp = reinterpret_cast<uintptr_t>(coroutine + sizeof coroutine - 4096) & ~uintptr_t(15);
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  uintptr_t hi = m->g0hi;
  m->ncgo = 1;
  uintptr_t deeper = sp - 200 * 1024;
  sb::callbackUpdateSystemStack(m.get(), deeper, false);
  EXPECT_EQ(m->g0lo, deeper - sb::kEstimateBelow);
  EXPECT_EQ(m->g0hi, hi);
  EXPECT_FALSE(m->g0StackAccurate);
  EXPECT_EQ(updates(*m), 2u);
}

// Above the estimate, or outside exact bounds, with managed frames up the
// stack: C switched stacks under them (golang/go#62130's class).
TEST(StackBoundsDeathTest, AboveAnEstimateUnderManagedFramesIsFatal) {
  auto m = extraM();
  static char coroutine[512 * 1024];
  uintptr_t sp = reinterpret_cast<uintptr_t>(coroutine + sizeof coroutine / 2) & ~uintptr_t(15);
  sb::callbackUpdateSystemStack(m.get(), sp, false);
  m->ncgo = 1;
  EXPECT_EXIT(sb::callbackUpdateSystemStack(m.get(), m->g0hi + 4096, false),
              ::testing::ExitedWithCode(2), "fatal error: cgocallback with sp=0x.* out of bounds");
}

TEST(StackBoundsDeathTest, OutsideExactBoundsUnderManagedFramesIsFatal) {
  auto m = extraM();
  sb::callbackUpdateSystemStack(m.get(), hereSP(), false);
  ASSERT_TRUE(m->g0StackAccurate);
  m->ncgo = 1;
  EXPECT_EXIT(sb::callbackUpdateSystemStack(m.get(), m->g0lo - 64 * 1024, false),
              ::testing::ExitedWithCode(2), "out of bounds");
}

TEST(StackBounds, FromASignalHandlerOnlyEstimates) {
  auto m = extraM();
  uintptr_t sp = hereSP();
  sb::callbackUpdateSystemStack(m.get(), sp, true);
  EXPECT_FALSE(m->g0StackAccurate);
  EXPECT_EQ(m->g0lo, sp - sb::kEstimateBelow);
  EXPECT_FALSE(m->threadStackKnown);  // no pthread query from a signal handler
}

TEST(StackBounds, ARuntimeMKeepsItsBounds) {
  rt::M m;  // not extra
  m.g0lo = 0x10000;
  m.g0hi = 0x20000;
  sb::callbackUpdateSystemStack(&m, 0x50000, false);  // out of bounds, ncgo == 0
  EXPECT_EQ(m.g0lo, 0x10000u);
  EXPECT_EQ(m.g0hi, 0x20000u);
  EXPECT_EQ(updates(m), 0u);
}

}  // namespace
