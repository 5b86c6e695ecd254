// SPDX-License-Identifier: MIT
// Task stacks: mmap'd, guarded by a PROT_NONE region, committed lazily by
// the kernel on first touch, and reused through a free cache. When guarded
// stacks would take map entries the rest of the process needs
// (vm.max_map_count; stack_maps.hpp), new stacks come unguarded from
// chunk mappings (stack_chunk.hpp) until the count falls again.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

struct StackPool;

struct Stack {
  uintptr_t lo = 0;       // lowest usable byte (just above the guard region)
  uintptr_t hi = 0;       // one past the highest usable byte
  uintptr_t guardlo = 0;  // the guard region [guardlo, lo); 0 if unguarded
  Stack* next = nullptr;  // free cache link, valid only while cached
  unsigned valgrindId = 0;  // VALGRIND_STACK_REGISTER's, while allocated
  // Unguarded stacks only: the pool (stack_chunk.cpp) whose chunk holds
  // it, forever; and whether its pages were given back while it was free.
  StackPool* pool = nullptr;
  bool released = false;

  size_t size() const { return hi - lo; }
  bool inGuard(uintptr_t addr) const { return guardlo != 0 && addr >= guardlo && addr < lo; }
};

// The default usable size of a task stack: 256 KiB.
constexpr size_t kDefaultStackSize = 256 * 1024;

// The PROT_NONE region below every task stack. Task stacks are adjacent
// mappings, so a frame that moves the stack pointer past the whole guard
// before touching memory writes into the neighbouring task's live stack.
// 64 KiB is more than any frame of the runtime's own (and the library is
// built with -fstack-clash-protection, which probes every page of a larger
// frame, so no frame of it can jump the guard at all); code built without
// that flag is caught for frames up to this size. It costs address space
// only: PROT_NONE pages are never committed, and it is one mapping as a
// one-page guard was (each guarded stack takes two map entries, against
// vm.max_map_count; past the runtime's budget stacks go unguarded).
// On Windows it is a thread stack's guard instead (sysStackGuard), so that
// the overflow is raised with room left to report it, and is committed
// (64 KiB of commit charge a stack); Windows' compilers probe every page
// of a frame larger than one.
constexpr size_t kStackGuardSize = 64 * 1024;

// stackround is the usable size a request for size bytes gets: the default
// size for 0, else size rounded up to its size class (stack.cpp: pages,
// then four classes per power of two, so at most a quarter more).
size_t stackround(size_t size);

// stackalloc returns a stack of stackround(size) usable bytes: from its
// size class's free cache when one is there; else a new guarded one while
// the map-entry budget allows, else an unguarded one from a chunk (said
// once on stderr). Out of memory is a fatal error.
Stack* stackalloc(size_t size);
// stackfree returns a stack: an unguarded one to its pool; a guarded one
// to its size class's cache, or to the OS if that is full.
void stackfree(Stack* s);
// stackmap maps a fresh guarded stack of size usable bytes (a class's
// size), or returns nullptr when the kernel refuses for want of map
// entries; stackunmap unmaps one. They are stackalloc's cache miss and
// the scavenger's release (bench/sched_bench.cpp times them).
Stack* stackmap(size_t size);
void stackunmap(Stack* s);
// stackscavenge returns to the OS the cached stacks that stayed unused
// since the previous call, keeping a small floor per size class, and the
// pages of idle unguarded ones; while stacks go unguarded it rechecks the
// map count. sysmon calls it.
void stackscavenge();
// stackcachescavenge is stackscavenge's part for the caches alone: unlike
// the rest, it is safe beside sysmon's (each cache is a span set).
void stackcachescavenge();
// stacksUnguarded counts stacks handed out without a guard region, ever.
uint64_t stacksUnguarded();
// stacksMapped counts guarded stacks mapped (fresh from the OS), ever.
uint64_t stacksMapped();
// stackcached counts the stacks in the free caches of every size class.
size_t stackcached();
// stackrelease gives the pages of a stack nobody runs on back to the OS
// (madvise MADV_DONTNEED), keeping the mapping and its guard page: the
// next use faults in zero pages.
void stackrelease(Stack* s);

// The usable size new tasks get unless they ask for another (settable).
size_t defaultStackSize();
void setDefaultStackSize(size_t size);

size_t pagesize();

}  // namespace cbridge::rt
