// SPDX-License-Identifier: MIT
// Coroutines call managed code from their own stacks: ucontext coroutines
// (makecontext/swapcontext, coro.c) and Boost.Fiber fibers call a cbridge
// Callback, switching stacks between calls.
//
// A callback from a thread cbridge never created runs on that thread's
// M, whose system-stack bounds the runtime keeps to catch a C stack
// switched under managed frames. Between callbacks a coroutine library
// may switch stacks freely: when a callback arrives on a stack outside the
// bounds, the runtime takes them afresh (stats().stack_bound_updates
// counts it) and the handler runs as usual, as a task that may park.
#include <boost/fiber/all.hpp>
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "coro.h"

namespace {

constexpr int kCoros = 8;
constexpr int kCalls = 50;  // per coroutine or fiber
constexpr int kFibers = 4;

uint64_t boundUpdates() { return cbridge::stats().stack_bound_updates; }

// sum of 2x+1 for x in 0..n-1 is n².
long wantSum(long n) { return n * n; }

}  // namespace

int main() {
  std::atomic<long> parked{0};
  cbridge::Callback<long(long)> cb([&](long x) -> long {
    if (x % 16 == 0) {  // now and then, park: the coroutine's thread waits
      cbridge::sleep_for(std::chrono::microseconds(100));
      parked.fetch_add(1, std::memory_order_relaxed);  // read after the joins
    }
    return 2 * x + 1;
  });

  // ucontext coroutines, on the main thread and on a thread of our own.
  uint64_t before = boundUpdates();
  long onMain = coro_run(cb.fn(), kCoros, kCalls, 64 * 1024);
  long onThread = 0;
  std::thread([&] { onThread = coro_run(cb.fn(), kCoros, kCalls, 64 * 1024); }).join();
  uint64_t afterUcontext = boundUpdates();

  // Boost.Fiber: fibers on one thread, yielding between callbacks.
  long fiberSum = 0;  // the fibers share one thread; main reads it after the join
  std::thread([&] {
    long (*fn)(long) = cb.fn();
    std::vector<boost::fibers::fiber> fibers;
    for (int f = 0; f < kFibers; f++)
      fibers.emplace_back([&, fn, f] {
        for (int i = 0; i < kCalls; i++) {
          fiberSum += fn(long{f} * kCalls + i);
          boost::this_fiber::yield();  // the next callback comes from another fiber's stack
        }
      });
    for (auto& f : fibers) f.join();
  }).join();
  uint64_t afterFibers = boundUpdates();

  const long ucontextCalls = long{kCoros} * kCalls;
  const long fiberCalls = long{kFibers} * kCalls;
  std::printf("ucontext: %d coroutines x %d callbacks on main and on a thread: sums %ld, %ld "
              "(want %ld)\n",
              kCoros, kCalls, onMain, onThread, wantSum(ucontextCalls));
  std::printf("Boost.Fiber: %d fibers x %d callbacks: sum %ld (want %ld)\n", kFibers, kCalls,
              fiberSum, wantSum(fiberCalls));
  std::printf("stack_bound_updates: %llu -> %llu after ucontext -> %llu after fibers; "
              "handlers parked %ld times\n",
              static_cast<unsigned long long>(before),
              static_cast<unsigned long long>(afterUcontext),
              static_cast<unsigned long long>(afterFibers), parked.load());
  // Consecutive callbacks on a thread come from different stacks: at
  // least one refresh per round of the scheduler.
  bool ok = onMain == wantSum(ucontextCalls) && onThread == wantSum(ucontextCalls) &&
            fiberSum == wantSum(fiberCalls) &&
            afterUcontext - before >= 2u * kCalls && afterFibers - afterUcontext >= kCalls &&
            parked == 2 * (ucontextCalls / 16 + (ucontextCalls % 16 != 0)) +
                          (fiberCalls / 16 + (fiberCalls % 16 != 0));
  std::printf("%s\n", ok ? "OK" : "FAIL");
  return ok ? 0 : 1;
}
