// SPDX-License-Identifier: MIT
// Guarded task stacks and the dispatch between them and unguarded ones.
//
// A guarded stack is one mmap of size + guard with the guard mprotect'ed
// PROT_NONE (on Windows, pages of a thread stack's guard: sysStackGuard):
// two map entries. They are made while stack_maps_linux.cpp's budget
// (vm.max_map_count less a reserve for the rest of the process) allows;
// past it, and as a fallback when mmap or mprotect fail for want of map
// entries, stacks come unguarded from stack_chunk.cpp, and the user is
// told once. A stack goes back to the kind it came from: guarded ones to
// the free cache of their size class (or the OS), unguarded ones to their
// pool. The cache is preferred in every mode: a cached guarded stack
// costs no new entry.
#include "runtime/stack.hpp"

#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <new>

#include "runtime/context.hpp"
#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
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

// Size classes. A stack's usable size is rounded up to a class, so that
// every stack of a class is interchangeable and the class can cache them:
// 1, 2 and 3 pages, then four classes per power of two of pages,
// 2^k + j*2^(k-2) pages for j = 0..3 (4, 5, 6, 7, 8, 10, 12, 14, 16, 20,
// ... pages). A request gets at most a quarter more than it asked for,
// powers of two (the default 256 KiB, 64 KiB) exactly, and every class is
// a whole number of pages. Sizes past the last class (2^kMaxShift pages,
// more address space than the machine has) keep page rounding and no
// cache: mmap refuses them anyway.
constexpr int kMaxShift = 40;
constexpr int kNumClasses = 3 + (kMaxShift - 2) * 4 + 1;

// classOf returns the class index of a request of npages pages (> 0) and
// sets *classPages to the class's size, or returns -1 past the classes.
int classOf(size_t npages, size_t* classPages) {
  if (npages < 4) {
    *classPages = npages;
    return int(npages) - 1;
  }
  if (npages > (size_t(1) << kMaxShift)) return -1;
  int k = 63 - std::countl_zero(uint64_t(npages));  // 2^k <= npages < 2^(k+1)
  size_t step = size_t(1) << (k - 2);
  size_t j = (npages - (size_t(1) << k) + step - 1) / step;  // 0..4; 4 is 2^(k+1)
  *classPages = (size_t(1) << k) + j * step;
  return 3 + (k - 2) * 4 + int(j);
}

// A class's free cache holds guarded stacks of its size, so that
// start+finish of a task costs no system call and no page fault: a fresh
// stack costs mmap, mprotect, a fault on first touch and a munmap later,
// whose TLB flush costs the most (on this VM ~50 µs of ~65; README). It is
// not bounded by count; like Go's stack spans, cached stacks go back to
// the OS when idle (stackcachescavenge). Every M frees and takes stacks,
// in no order that matters (any cached stack of the class serves), so the
// cache is a span set (spanset.hpp) where it was a locked list. The ring
// holds (C-1)*N = 65,024 stacks, more than the map-entry budget allows
// guarded stacks (two entries each, vm.max_map_count is 65,530 by
// default); a stack past it goes back to the OS.
struct SizeClass {
  SpanSet<Stack, 128> cache;
  // The fewest stacks the cache held since the last scavenge, lowered by
  // a racy min (relaxed: a lost lowering only scavenges a little less).
  std::atomic<uint32_t> lowWater{0};
  // Stacks kept however idle: enough for a burst of short tasks, 64 of
  // them as for the default size, but no more than kCacheFloorBytes.
  uint32_t floor = 0;
};
constexpr uint32_t kCacheFloor = 64;
constexpr size_t kCacheFloorBytes = kCacheFloor * kDefaultStackSize;

// The classes, made on first use (most programs use one or two) and never
// freed: a racing stackalloc or scavenge may hold one. acquire/release:
// the class's construction before its pointer.
std::atomic<SizeClass*> classes[kNumClasses];

// Guarded stacks mapped, ever (stacksMapped).
std::atomic<uint64_t> gMapped{0};

SizeClass* sizeclass(int idx, size_t size) {
  SizeClass* c = classes[idx].load(std::memory_order_acquire);
  if (c != nullptr) return c;
  auto* fresh = new (std::nothrow) SizeClass;
  if (fresh == nullptr) fatal("out of memory allocating a stack size class");
  size_t floor = kCacheFloorBytes / size;
  fresh->floor = uint32_t(floor < 1 ? 1 : floor > kCacheFloor ? kCacheFloor : floor);
  if (classes[idx].compare_exchange_strong(c, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
    return fresh;
  delete fresh;  // another M installed one first; nobody saw ours
  return c;
}

// Set by the first unguarded stack: the user is told once.
std::atomic<bool> gUnguardedWarned{false};

size_t roundup(size_t n, size_t to) { return (n + to - 1) / to * to; }

// guardsize is kStackGuardSize, at least a page (64 KiB pages exist).
size_t guardsize() {
  size_t ps = pagesize();
  return kStackGuardSize > ps ? roundup(kStackGuardSize, ps) : ps;
}

// cachepop takes a stack from class c's cache, or returns nullptr.
Stack* cachepop(SizeClass* c) {
  Stack* s = c->cache.pop();
  if (s == nullptr) return nullptr;
  uint32_t left = c->cache.size();
  if (left < c->lowWater.load(std::memory_order_relaxed)) c->lowWater.store(left, std::memory_order_relaxed);
  return s;
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
  return physpagesize();
}

size_t defaultStackSize() { return gDefaultSize.load(std::memory_order_relaxed); }

// The old default's stacks stay in their class's cache, and go back to
// the OS when idle like any other.
void setDefaultStackSize(size_t size) {
  gDefaultSize.store(stackround(size < 4 * pagesize() ? 4 * pagesize() : size), std::memory_order_relaxed);
}

size_t stackround(size_t size) {
  if (size == 0) size = defaultStackSize();
  size_t ps = pagesize();
  size_t npages = size / ps + (size % ps != 0);
  size_t classPages;
  return (classOf(npages, &classPages) < 0 ? npages : classPages) * ps;
}

Stack* stackmap(size_t size) {
  size_t guard = guardsize();
  size_t total = size + guard;
  void* p = sysAllocNoReserve(total, nullptr);
  if (p == nullptr) {
    int err = errno;
    if (err == ENOMEM && mapsExhausted()) return nullptr;
    fatal("out of memory allocating a %zu-byte task stack: mmap: %s", total, strerror(err));
  }
  mapsAdded(1);
  if (!sysStackGuard(p, guard)) {
    // Splitting off the guard needs one more entry than the limit allows.
    int err = errno;
    sysFree(p, total);
    mapsAdded(-1);
    if (err == ENOMEM && mapsExhausted()) return nullptr;
    fatal("mprotect of a task stack's guard region: %s", strerror(err));
  }
  mapsAdded(1);
  gMapped.fetch_add(1, std::memory_order_relaxed);  // a statistic: orders nothing
  auto base = reinterpret_cast<uintptr_t>(p);
  auto* s = new (std::nothrow) Stack;
  if (s == nullptr) fatal("out of memory allocating a task stack descriptor");
  s->lo = base + guard;
  s->hi = base + total;
  s->guardlo = base;
  return s;
}

void stackunmap(Stack* s) {
  size_t guard = guardsize();
  asanUnmapping(reinterpret_cast<void*>(s->lo), s->size());
  sysFree(reinterpret_cast<void*>(s->lo - guard), s->size() + guard);
  mapsAdded(-2);
  delete s;
}

Stack* stackalloc(size_t size) {
  size = stackround(size);
  size_t classPages;
  int idx = classOf(size / pagesize(), &classPages);
  Stack* s = idx >= 0 ? cachepop(sizeclass(idx, size)) : nullptr;
  if (s == nullptr && mapsRoomForGuard()) s = stackmap(size);
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
  size_t classPages;
  int idx = classOf(s->size() / pagesize(), &classPages);
  if (idx >= 0 && sizeclass(idx, s->size())->cache.push(s)) return;
  stackunmap(s);
}

void stackcachescavenge() {
  for (auto& slot : classes) {
    SizeClass* c = slot.load(std::memory_order_acquire);
    if (c == nullptr) continue;
    // Stacks below the low-water mark sat unused for the whole period.
    uint32_t low = c->lowWater.load(std::memory_order_relaxed);
    for (uint32_t idle = low > c->floor ? low - c->floor : 0; idle > 0; idle--) {
      Stack* s = c->cache.pop();
      if (s == nullptr) break;
      stackunmap(s);
    }
    c->lowWater.store(c->cache.size(), std::memory_order_relaxed);
  }
}

void stackscavenge() {
  stackcachescavenge();
  chunkscavenge();
  mapsScavenge();
}

uint64_t stacksUnguarded() { return chunkStacksMade(); }

uint64_t stacksMapped() { return gMapped.load(std::memory_order_relaxed); }

void stackrelease(Stack* s) { sysUnused(reinterpret_cast<void*>(s->lo), s->size()); }

size_t stackcached() {
  size_t n = 0;
  for (auto& slot : classes)
    if (SizeClass* c = slot.load(std::memory_order_acquire)) n += c->cache.size();
  return n;
}

}  // namespace cbridge::rt
