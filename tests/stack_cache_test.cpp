// SPDX-License-Identifier: MIT
// The free caches of task stacks, one per size class (runtime/stack.cpp):
// a task that asks for a stack of its own size gets one back from the
// cache, as default-size tasks do, rather than a fresh mapping each time;
// and sizes round up to their class. (An unmapped stack and ASan's
// shadow: stack_cache_linux_test.cpp.)
#include <gtest/gtest.h>

#include <cbridge/cbridge.hpp>

#include "runtime/stack.hpp"

namespace {

namespace rt = cbridge::rt;

// 1,000 short tasks one after the other, each with a 64 KiB stack: the
// first maps one, the rest reuse it (through the task's G or the cache),
// where each used to map and unmap its own.
TEST(StackCache, ShortTasksWithTheirOwnStackSizeReuseStacks) {
  cbridge::run([] {
    cbridge::TaskOptions opts;
    opts.stack_size = 64 * 1024;
    uint64_t mapped = rt::stacksMapped();
    for (int i = 0; i < 1000; i++) {
      cbridge::WaitGroup wg;
      wg.add(1);
      cbridge::go(opts, [&] { wg.done(); });
      wg.wait();
    }
    EXPECT_LE(rt::stacksMapped() - mapped, 4u);
  });
}

TEST(StackCache, SizesRoundUpToTheirClass) {
  size_t ps = rt::pagesize();
  EXPECT_EQ(rt::stackround(0), rt::defaultStackSize());
  EXPECT_EQ(rt::stackround(1), ps);
  EXPECT_EQ(rt::stackround(3 * ps), 3 * ps);
  EXPECT_EQ(rt::stackround(64 * 1024), 64 * 1024u);
  EXPECT_EQ(rt::stackround(256 * 1024), 256 * 1024u);
  EXPECT_EQ(rt::stackround(64 * ps + 1), 80 * ps);  // 2^6 + 1/4 of it
  EXPECT_EQ(rt::stackround(113 * ps), 128 * ps);    // past 7/4 of 2^6
  for (size_t pages = 1; pages < 5000; pages++) {
    size_t got = rt::stackround(pages * ps);
    EXPECT_GE(got, pages * ps);
    EXPECT_LE(got, pages * ps + pages * ps / 4);
    EXPECT_EQ(rt::stackround(got), got);  // a class's size is its own class
  }
}

}  // namespace
