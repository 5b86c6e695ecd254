// SPDX-License-Identifier: MIT
// Unguarded task stacks near vm.max_map_count (#12.5), without the runtime
// started: past the map-entry budget stacks come from chunk pools; a freed
// one goes back to its pool and is handed out again (type-stable: the same
// slots, no new mapping), and scavenging gives back the pages of the ones
// idle for a whole period, beyond a warm floor, keeping the mapping.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "runtime/stack.hpp"

namespace rt = cbridge::rt;

namespace {

long mapCount() {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  static char buf[1 << 16];
  long lines = 0;
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
  close(fd);
  return lines;
}

long maxMapCount() {
  FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r");
  long v = 65530;
  if (f != nullptr) {
    if (std::fscanf(f, "%ld", &v) != 1) v = 65530;
    std::fclose(f);
  }
  return v;
}

// Filler takes map entries until only half the runtime's reserve (a
// sixteenth of the limit, at least 1,024; see the README) is left: one
// entry per page of a region with alternating protections.
struct Filler {
  char* p = nullptr;
  size_t bytes = 0;
  Filler() {
    long limit = maxMapCount();
    long reserve = std::max(limit / 16, 1024L);
    long want = limit - mapCount() - reserve / 2;
    long ps = sysconf(_SC_PAGESIZE);
    bytes = size_t(want) * ps;
    p = static_cast<char*>(
        mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    for (long i = 1; i < want; i += 2) mprotect(p + i * ps, size_t(ps), PROT_READ);
  }
  ~Filler() { munmap(p, bytes); }
};

bool resident(uintptr_t page) {
  unsigned char v = 0;
  mincore(reinterpret_cast<void*>(page), size_t(sysconf(_SC_PAGESIZE)), &v);
  return v & 1;
}

TEST(StackChunk, IdleUnguardedStacksArePagedOutAndReused) {
  Filler filler;
  ASSERT_NE(filler.p, MAP_FAILED);
  const size_t ps = size_t(sysconf(_SC_PAGESIZE));
  const size_t size = 64 * 1024;  // no guarded stack of its class is cached yet
  constexpr int kN = 200, kFloor = 64;  // kFloor: stack_chunk.cpp's warm floor
  uint64_t made = rt::stacksUnguarded();
  std::vector<rt::Stack*> stacks;
  for (int i = 0; i < kN; i++) {
    rt::Stack* s = rt::stackalloc(size);
    ASSERT_NE(s->pool, nullptr) << "stack " << i << " is guarded past the budget";
    ASSERT_EQ(s->guardlo, 0u);
    ASSERT_EQ(s->size(), size);
    reinterpret_cast<volatile char*>(s->hi)[-1] = 1;  // commit its top page
    stacks.push_back(s);
  }
  EXPECT_EQ(rt::stacksUnguarded() - made, uint64_t(kN));
  std::vector<uintptr_t> los;
  for (rt::Stack* s : stacks) los.push_back(s->lo);
  std::sort(los.begin(), los.end());
  for (int i = 1; i < kN; i++) ASSERT_GE(los[i] - los[i - 1], size) << "stacks overlap";

  for (rt::Stack* s : stacks) rt::stackfree(s);  // the first freed ends deepest in the pool
  rt::stackscavenge();  // opens a period with all kN free
  rt::stackscavenge();  // all stayed free: all but the warm floor are paged out
  int out = 0;
  for (int i = 0; i < kN; i++) {
    bool r = resident(stacks[i]->hi - ps);
    if (i < kN - kFloor) {
      EXPECT_FALSE(r) << "idle stack " << i << " kept its pages";
    } else {
      EXPECT_TRUE(r) << "warm stack " << i << " lost its pages";
    }
    out += !r;
  }
  EXPECT_EQ(out, kN - kFloor);

  // Handed out again: the pool's own slots, paged-out ones zero.
  std::vector<rt::Stack*> again;
  for (int i = 0; i < kN; i++) again.push_back(rt::stackalloc(size));
  std::vector<uintptr_t> los2;
  for (rt::Stack* s : again) los2.push_back(s->lo);
  std::sort(los2.begin(), los2.end());
  EXPECT_EQ(los, los2);
  int zero = 0;
  for (rt::Stack* s : again) zero += reinterpret_cast<volatile char*>(s->hi)[-1] == 0;
  EXPECT_EQ(zero, kN - kFloor);
  for (rt::Stack* s : again) rt::stackfree(s);
}

}  // namespace
