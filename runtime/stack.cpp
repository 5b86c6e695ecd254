#include "runtime/stack.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"

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

// The free cache holds stacks of one size (the default size when they were
// freed) so that start+finish of a task costs no system call and no page
// fault: a fresh stack costs mmap, mprotect, a fault on first touch and
// munmap later, ~10 µs here. It is not bounded by count; like Go's stack
// spans, cached stacks go back to the OS when idle (stackscavenge).
// Invariants, under cacheLock: every stack on the list has size() ==
// cacheSize; changing the default size empties the cache; lowWater is the
// fewest stacks the cache held since the last scavenge.
Lock cacheLock;
Stack* cacheHead = nullptr;
size_t cacheCount = 0;
size_t cacheSize = 0;
size_t lowWater = 0;
// Stacks kept however idle: enough for a burst of short tasks.
constexpr size_t kCacheFloor = 64;

// Set once when the kernel refuses a guard region (vm.max_map_count
// reached, each guarded stack costs two mappings): later stacks go without
// one and the user is told once.
std::atomic<bool> gUnguardedWarned{false};

size_t roundup(size_t n, size_t to) { return (n + to - 1) / to * to; }

// guardsize is kStackGuardSize, at least a page (64 KiB pages exist).
size_t guardsize() {
  size_t ps = pagesize();
  return kStackGuardSize > ps ? roundup(kStackGuardSize, ps) : ps;
}

Stack* osalloc(size_t size) {
  size_t guard = guardsize();
  size_t total = size + guard;
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    fatal(
        "out of memory allocating a %zu-byte task stack: mmap: %s (with many live tasks the "
        "process may have reached vm.max_map_count: raise it with sysctl)",
        total, strerror(errno));
  auto base = reinterpret_cast<uintptr_t>(p);
  auto* s = new (std::nothrow) Stack;
  if (s == nullptr) fatal("out of memory allocating a task stack descriptor");
  s->lo = base + guard;
  s->hi = base + total;
  if (mprotect(p, guard, PROT_NONE) == 0) {
    s->guardlo = base;
  } else {
    // The region stays readable and writable, so an overflow of this stack
    // goes undetected: say so once, with the fix.
    s->guardlo = 0;
    if (!gUnguardedWarned.exchange(true, std::memory_order_relaxed))
      usererror(
          "task stacks past this point have no guard region (mprotect: %s); "
          "raise vm.max_map_count (each guarded stack takes two mappings) to keep stack "
          "overflow detection",
          strerror(errno));
  }
  return s;
}

void osfree(Stack* s) {
  size_t guard = guardsize();
  munmap(reinterpret_cast<void*>(s->lo - guard), s->size() + guard);
  delete s;
}

}  // namespace

size_t pagesize() {
  static const size_t ps = size_t(sysconf(_SC_PAGESIZE));
  return ps;
}

size_t defaultStackSize() { return gDefaultSize.load(std::memory_order_relaxed); }

void setDefaultStackSize(size_t size) {
  size = roundup(size < 4 * pagesize() ? 4 * pagesize() : size, pagesize());
  gDefaultSize.store(size, std::memory_order_relaxed);
  Stack* drop = nullptr;
  {
    LockGuard g(cacheLock);
    if (cacheSize != size) {
      drop = cacheHead;
      cacheHead = nullptr;
      cacheCount = 0;
      cacheSize = size;
    }
  }
  while (drop != nullptr) {
    Stack* next = drop->next;
    osfree(drop);
    drop = next;
  }
}

size_t stackround(size_t size) { return roundup(size == 0 ? defaultStackSize() : size, pagesize()); }

Stack* stackalloc(size_t size) {
  size = stackround(size);
  Stack* s = nullptr;
  {
    LockGuard g(cacheLock);
    if (cacheHead != nullptr && cacheSize == size) {
      s = cacheHead;
      cacheHead = s->next;
      cacheCount--;
      if (cacheCount < lowWater) lowWater = cacheCount;
      s->next = nullptr;
    }
  }
  if (s == nullptr) s = osalloc(size);
  s->valgrindId = VALGRIND_STACK_REGISTER(s->lo, s->hi);
  return s;
}

void stackfree(Stack* s) {
  VALGRIND_STACK_DEREGISTER(s->valgrindId);
  {
    LockGuard g(cacheLock);
    if (cacheSize == 0) cacheSize = defaultStackSize();
    if (s->size() == cacheSize) {
      s->next = cacheHead;
      cacheHead = s;
      cacheCount++;
      return;
    }
  }
  osfree(s);
}

void stackscavenge() {
  Stack* drop = nullptr;
  {
    LockGuard g(cacheLock);
    // Stacks below the low-water mark sat unused for the whole period.
    size_t idle = lowWater > kCacheFloor ? lowWater - kCacheFloor : 0;
    for (; idle > 0 && cacheHead != nullptr; idle--) {
      Stack* s = cacheHead;
      cacheHead = s->next;
      cacheCount--;
      s->next = drop;
      drop = s;
    }
    lowWater = cacheCount;
  }
  while (drop != nullptr) {
    Stack* next = drop->next;
    osfree(drop);
    drop = next;
  }
}

void stackrelease(Stack* s) { madvise(reinterpret_cast<void*>(s->lo), s->size(), MADV_DONTNEED); }

size_t stackcached() {
  LockGuard g(cacheLock);
  return cacheCount;
}

}  // namespace cbridge::rt
