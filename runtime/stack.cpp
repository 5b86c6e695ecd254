// SPDX-License-Identifier: MIT
// Guarded task stacks and the dispatch between them and unguarded ones.
//
// A guarded stack is one mmap of size + guard with the guard mprotect'ed
// PROT_NONE: two map entries. They are made while stack_maps.cpp's budget
// (vm.max_map_count less a reserve for the rest of the process) allows;
// past it, and as a fallback when mmap or mprotect fail for want of map
// entries, stacks come unguarded from stack_chunk.cpp, and the user is
// told once. A stack goes back to the kind it came from: guarded ones to
// the free cache (or the OS), unguarded ones to their pool. The cache is
// preferred in every mode: a cached guarded stack costs no new entry.
#include "runtime/stack.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/spanset.hpp"
#include "runtime/stack_chunk.hpp"
#include "runtime/stack_maps.hpp"

// Task stacks are registered with valgrind, so that memcheck takes a
// switch to one for a stack switch rather than a huge stack frame and
// does not report every access on it; the macros cost a few
// instructions and do nothing outside valgrind.
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(lo, hi) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

namespace cbridge::rt {

namespace {

std::atomic<size_t> gDefaultSize{kDefaultStackSize};

// The free cache holds guarded stacks of the default size, so that
// start+finish of a task costs no system call and no page fault: a fresh
// stack costs mmap, mprotect, a fault on first touch and munmap later,
// ~10 µs here. It is not bounded by count; like Go's stack spans, cached
// stacks go back to the OS when idle (stackscavenge). Every M frees and
// takes stacks, in no order that matters (any cached stack of the size
// asked for serves), so the cache is a span set (spanset.hpp) where it
// was a locked list. The set may hold stacks of an earlier default size
// (setDefaultStackSize drains it, but a stackfree racing with the change
// may put one back): stackalloc frees those it finds. The ring holds
// (C-1)*N = 65,024 stacks, more than the map-entry budget allows guarded
// stacks (two entries each, vm.max_map_count is 65,530 by default); a
// stack past it goes back to the OS.
SpanSet<Stack, 128> cache;
// The fewest stacks the cache held since the last scavenge, lowered by a
// racy min (relaxed: a lost lowering only scavenges a little less).
std::atomic<uint32_t> lowWater{0};
// Stacks kept however idle: enough for a burst of short tasks.
constexpr uint32_t kCacheFloor = 64;

// Set by the first unguarded stack: the user is told once.
std::atomic<bool> gUnguardedWarned{false};

size_t roundup(size_t n, size_t to) { return (n + to - 1) / to * to; }

// guardsize is kStackGuardSize, at least a page (64 KiB pages exist).
size_t guardsize() {
  size_t ps = pagesize();
  return kStackGuardSize > ps ? roundup(kStackGuardSize, ps) : ps;
}

// osalloc maps a guarded stack, or returns nullptr when the kernel
// refuses for want of map entries (the caller takes an unguarded one).
Stack* osalloc(size_t size) {
  size_t guard = guardsize();
  size_t total = size + guard;
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    if (err == ENOMEM && mapsExhausted()) return nullptr;
    fatal("out of memory allocating a %zu-byte task stack: mmap: %s", total, strerror(err));
  }
  mapsAdded(1);
  if (mprotect(p, guard, PROT_NONE) != 0) {
    // Splitting off the guard needs one more entry than the limit allows.
    int err = errno;
    munmap(p, total);
    mapsAdded(-1);
    if (err == ENOMEM && mapsExhausted()) return nullptr;
    fatal("mprotect of a task stack's guard region: %s", strerror(err));
  }
  mapsAdded(1);
  auto base = reinterpret_cast<uintptr_t>(p);
  auto* s = new (std::nothrow) Stack;
  if (s == nullptr) fatal("out of memory allocating a task stack descriptor");
  s->lo = base + guard;
  s->hi = base + total;
  s->guardlo = base;
  return s;
}

void osfree(Stack* s) {
  size_t guard = guardsize();
  munmap(reinterpret_cast<void*>(s->lo - guard), s->size() + guard);
  mapsAdded(-2);
  delete s;
}

// cachepop takes a stack of size bytes from the cache, or returns nullptr.
Stack* cachepop(size_t size) {
  while (Stack* s = cache.pop()) {
    uint32_t left = cache.size();
    if (left < lowWater.load(std::memory_order_relaxed)) lowWater.store(left, std::memory_order_relaxed);
    if (s->size() == size) return s;
    osfree(s);  // of an earlier default size
  }
  return nullptr;
}

// unguarded hands out a stack from a chunk, and the first time says so:
// overflow detection is off for it, and why, and the fix.
Stack* unguarded(size_t size) {
  if (!gUnguardedWarned.load(std::memory_order_relaxed)) {
    MapsState ms = mapsState();
    usererrorOnce(&gUnguardedWarned,
                  "the process uses about %lld of its vm.max_map_count=%lld memory mappings "
                  "(%lld are kept for threads, malloc and your own mmaps): new task stacks get no "
                  "guard region, so their overflow goes undetected, until the count falls; raise "
                  "the limit (sysctl -w vm.max_map_count=%lld) to keep every stack guarded (each "
                  "takes two mappings)",
                  static_cast<long long>(ms.estimate), static_cast<long long>(ms.limit),
                  static_cast<long long>(ms.reserve), static_cast<long long>(ms.limit * 4));
  }
  return chunkalloc(size);
}

}  // namespace

size_t pagesize() {
  static const size_t ps = size_t(sysconf(_SC_PAGESIZE));
  return ps;
}

size_t defaultStackSize() { return gDefaultSize.load(std::memory_order_relaxed); }

void setDefaultStackSize(size_t size) {
  size = roundup(size < 4 * pagesize() ? 4 * pagesize() : size, pagesize());
  if (gDefaultSize.exchange(size, std::memory_order_relaxed) == size) return;
  // Drain the cache of the old size; a stackfree racing with the change
  // may still put one back, and stackalloc frees it when it finds it.
  while (Stack* s = cache.pop()) osfree(s);
}

size_t stackround(size_t size) { return roundup(size == 0 ? defaultStackSize() : size, pagesize()); }

Stack* stackalloc(size_t size) {
  size = stackround(size);
  Stack* s = size == defaultStackSize() ? cachepop(size) : nullptr;
  if (s == nullptr && mapsRoomForGuard()) s = osalloc(size);
  if (s == nullptr) s = unguarded(size);
  s->valgrindId = VALGRIND_STACK_REGISTER(s->lo, s->hi);
  return s;
}

void stackfree(Stack* s) {
  VALGRIND_STACK_DEREGISTER(s->valgrindId);
  if (s->pool != nullptr) {
    chunkfree(s);
    return;
  }
  if (s->size() == defaultStackSize() && cache.push(s)) return;
  osfree(s);
}

void stackcachescavenge() {
  // Stacks below the low-water mark sat unused for the whole period.
  uint32_t low = lowWater.load(std::memory_order_relaxed);
  for (uint32_t idle = low > kCacheFloor ? low - kCacheFloor : 0; idle > 0; idle--) {
    Stack* s = cache.pop();
    if (s == nullptr) break;
    osfree(s);
  }
  lowWater.store(cache.size(), std::memory_order_relaxed);
}

void stackscavenge() {
  stackcachescavenge();
  chunkscavenge();
  mapsScavenge();
}

uint64_t stacksUnguarded() { return chunkStacksMade(); }

void stackrelease(Stack* s) { madvise(reinterpret_cast<void*>(s->lo), s->size(), MADV_DONTNEED); }

size_t stackcached() { return cache.size(); }

}  // namespace cbridge::rt
