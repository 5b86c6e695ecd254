// SPDX-License-Identifier: MIT
// The free caches of task stacks, one per size class (runtime/stack.cpp):
// a task that asks for a stack of its own size gets one back from the
// cache, as default-size tasks do, rather than a fresh mapping each time;
// and sizes round up to their class.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cbridge/cbridge.hpp>

#include "runtime/stack.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

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

// What a task's abandoned frames leave in ASan's shadow (the redzones of
// the frames it never returned from) must not outlive its stack's mapping:
// the next mmap at those addresses belongs to someone else. (Without
// ASan there is no shadow and this passes trivially.)
TEST(StackCache, AnUnmappedStackLeavesNoRedzoneBehind) {
  rt::Stack* s = rt::stackmap(64 * 1024);
  ASSERT_NE(s, nullptr);
  auto* lo = reinterpret_cast<char*>(s->lo);
  size_t size = s->size();
#if defined(__SANITIZE_ADDRESS__)
  __asan_poison_memory_region(lo + 4096, 64);  // an abandoned frame's redzone
#endif
  rt::stackunmap(s);
  void* p = mmap(lo, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  ASSERT_EQ(p, static_cast<void*>(lo)) << "the stack's addresses were taken meanwhile";
  static_cast<volatile char*>(p)[4096 + 8] = 1;  // ASan reports a stale redzone here
  munmap(p, size);
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
