// SPDX-License-Identifier: MIT
// Unguarded task stacks from chunk mappings.
//
// A guarded stack is a mapping of its own plus a PROT_NONE region that
// mprotect splits off: two map entries. When the process nears
// vm.max_map_count (stack_maps_linux.cpp decides), new stacks come from here
// instead: stacks of one size come from a pool, which carves them from
// chunks of many stacks each. A new chunk is asked for (a hint, not
// MAP_FIXED) right below the pool's previous one, where the kernel merges
// the two: adjacent anonymous mappings with equal flags are one entry. So
// a chunk costs at most one entry, and chunks grow with their pool (half
// of what it holds, 64 to 4,096 stacks each), so two million stacks cost
// a few hundred entries at most. The price: a stack that overflows writes
// into its neighbour undetected; the runtime says so once (stack.cpp).
//
// Type-stable memory: chunks are never unmapped, and a slot and its Stack
// descriptor belong to their pool forever (as the netpoller's pollDesc
// blocks do), so nothing ever points at unmapped memory. A freed stack
// goes on its pool's free list, the most recently freed (warmest) first.
// Stacks that stayed on it for a whole scavenge period give their pages
// back with madvise(MADV_DONTNEED), which keeps the mapping: an idle pool
// keeps address space, not memory. Its chunks also carry MADV_NOHUGEPAGE:
// with transparent huge pages "always", the first touch of a stack would
// otherwise commit 2 MiB where a blocked task needs a page or two.
#include "runtime/stack_chunk.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/os.hpp"
#include "runtime/stack.hpp"
#include "runtime/stack_maps.hpp"

namespace cbridge::rt {

struct StackPool {
  size_t size = 0;            // usable bytes of each stack (a page multiple)
  StackPool* next = nullptr;  // the list of pools
  Stack* free = nullptr;      // free stacks, most recently freed first
  size_t nfree = 0;
  size_t lowWater = 0;  // fewest free stacks since the last scavenge
  uintptr_t cur = 0;    // the current chunk's uncarved part [cur, end)
  uintptr_t end = 0;
  uintptr_t lastChunk = 0;  // base of the newest chunk: the next one goes below
  size_t carved = 0;        // stacks ever carved: what the pool holds
};

namespace {

// Invariants, under poolLock: every stack on a pool's free list has
// pool == that pool and is not in use; nfree is the list's length;
// lowWater <= nfree at all times between scavenges; the stacks with
// released set form a tail of the list (pushes and pops are at the head,
// and scavenge releases from the tail up). Pools are never freed.
Lock poolLock{LockRank::StackChunk};
StackPool* pools GUARDED_BY(poolLock) = nullptr;
// Free stacks each pool keeps warm however idle, as the guarded cache.
constexpr size_t kPoolFloor = 64;
constexpr size_t kChunkMin = 64, kChunkMax = 4096;  // stacks per chunk

// Relaxed: a statistic.
std::atomic<uint64_t> made{0};

StackPool* poolFor(size_t size) REQUIRES(poolLock) {
  for (StackPool* p = pools; p != nullptr; p = p->next)
    if (p->size == size) return p;
  auto* p = new (std::nothrow) StackPool;
  if (p == nullptr) fatal("out of memory allocating a task stack pool");
  p->size = size;
  p->next = pools;
  pools = p;
  return p;
}

// grow maps a new chunk for pool p. Under poolLock.
void grow(StackPool* p) REQUIRES(poolLock) {
  size_t n = p->carved / 2;
  n = n < kChunkMin ? kChunkMin : n > kChunkMax ? kChunkMax : n;
  size_t bytes = n * p->size;
  void* hint = p->lastChunk > bytes ? reinterpret_cast<void*>(p->lastChunk - bytes) : nullptr;
  void* m = sysAllocNoReserve(bytes, hint);
  if (m == nullptr)
    fatal("out of memory allocating %zu bytes of task stacks (%zu unguarded stacks of %zu bytes): "
          "mmap: %s",
          bytes, n, p->size, strerror(errno));
  sysNoHugePage(m, bytes);  // best effort: a kernel without THP refuses it
  mapsAdded(1);  // at most one: usually it merges with the previous chunk
  p->lastChunk = reinterpret_cast<uintptr_t>(m);
  p->cur = p->lastChunk;
  p->end = p->cur + bytes;
}

}  // namespace

Stack* chunkalloc(size_t size) {
  Stack* s = nullptr;
  {
    LockGuard g(poolLock);
    StackPool* p = poolFor(size);
    if (p->free != nullptr) {
      s = p->free;
      p->free = s->next;
      p->nfree--;
      if (p->nfree < p->lowWater) p->lowWater = p->nfree;
      s->next = nullptr;
      s->released = false;
    } else {
      auto* d = new (std::nothrow) Stack;
      if (d == nullptr) fatal("out of memory allocating a task stack descriptor");
      if (p->cur == p->end) grow(p);
      d->lo = p->cur;
      d->hi = p->cur + size;
      d->guardlo = 0;
      d->pool = p;
      p->cur += size;
      p->carved++;
      s = d;
    }
  }
  made.fetch_add(1, std::memory_order_relaxed);
  return s;
}

void chunkfree(Stack* s) {
  LockGuard g(poolLock);
  StackPool* p = s->pool;
  s->next = p->free;
  p->free = s;
  p->nfree++;
}

void chunkscavenge() {
  LockGuard g(poolLock);
  for (StackPool* p = pools; p != nullptr; p = p->next) {
    // The lowWater stacks deepest in the list were free the whole period;
    // the floor of them stays warm. madvise under the lock: a stack being
    // released must not be handed out meanwhile, and this runs on sysmon
    // once per period, over stacks that only an idle pool has.
    size_t idle = p->lowWater > kPoolFloor ? p->lowWater - kPoolFloor : 0;
    Stack* s = p->free;
    for (size_t skip = p->nfree - idle; skip > 0 && s != nullptr; skip--) s = s->next;
    for (; s != nullptr && !s->released; s = s->next) {
      sysUnused(reinterpret_cast<void*>(s->lo), s->size());
      s->released = true;
    }
    p->lowWater = p->nfree;
  }
}

uint64_t chunkStacksMade() { return made.load(std::memory_order_relaxed); }

}  // namespace cbridge::rt
