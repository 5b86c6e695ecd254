// SPDX-License-Identifier: MIT
// An unmapped task stack and ASan's shadow (stack_cache_test.cpp has the
// caches): the addresses are mapped again in place, which takes Linux's
// MAP_FIXED_NOREPLACE.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "runtime/stack.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace {

namespace rt = cbridge::rt;

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

}  // namespace
