// SPDX-License-Identifier: MIT
// Scheduler benchmarks, each the twin of one in bench/peers/go. Run with
// CBRIDGE_MAXPROCS set by bench/compare.py (1 and 2 Ps).
//
// Every benchmark body runs inside a task (cbridge::run), so the clock is
// wall time (UseRealTime): the benchmark's own thread only waits.
#include <benchmark/benchmark.h>
#include <boost/context/detail/fcontext.hpp>
#include <cbridge/cbridge.hpp>

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "runtime/stack.hpp"

namespace {

namespace ctx = boost::context::detail;

// One task started and finished, waited for by its starter.
void BM_TaskStartFinish(benchmark::State& state) {
  cbridge::run([&] {
    cbridge::WaitGroup wg;
    for (auto _ : state) {
      wg.add(1);
      cbridge::go([&] { wg.done(); });
      wg.wait();
    }
  });
}
BENCHMARK(BM_TaskStartFinish)->UseRealTime();

// The same with a stack size of the task's own, 64 KiB: its stack comes
// from its size class's cache as the default size's does (it used to be a
// fresh mapping every time). Go has no stack size to choose: the peer is
// Go's start+finish.
void BM_TaskStartFinish64K(benchmark::State& state) {
  cbridge::run([&] {
    cbridge::TaskOptions opts;
    opts.stack_size = 64 * 1024;
    cbridge::WaitGroup wg;
    for (auto _ : state) {
      wg.add(1);
      cbridge::go(opts, [&] { wg.done(); });
      wg.wait();
    }
  });
}
BENCHMARK(BM_TaskStartFinish64K)->UseRealTime();

// A fresh 256 KiB task stack, the cache-miss path's whole life in µs: the
// runtime's stackmap (mmap with the guard region, mprotect of the guard,
// the top page faulted in), the first write at its top, as make_fcontext
// does, and stackunmap (munmap; the scavenger's, off the task's path).
// The peer, BM_BareStack256K, is the same done plainly: mmap, mprotect,
// the write (a page fault), munmap.
void BM_FreshStack256K(benchmark::State& state) {
  for (auto _ : state) {
    cbridge::rt::Stack* s = cbridge::rt::stackmap(256 * 1024);
    reinterpret_cast<volatile char*>(s->hi)[-64] = 1;
    cbridge::rt::stackunmap(s);
  }
}
BENCHMARK(BM_FreshStack256K)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_BareStack256K(benchmark::State& state) {
  constexpr size_t kGuard = 64 * 1024, kTotal = 256 * 1024 + kGuard;
  for (auto _ : state) {
    void* p = mmap(nullptr, kTotal, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    mprotect(p, kGuard, PROT_NONE);
    static_cast<volatile char*>(p)[kTotal - 64] = 1;
    munmap(p, kTotal);
  }
}
BENCHMARK(BM_BareStack256K)->UseRealTime()->Unit(benchmark::kMicrosecond);

// One-way hand-off on an unbuffered channel: two tasks ping-pong; each
// iteration is one hand-off (one task switch on 1 P).
void BM_ChanHandoff(benchmark::State& state) {
  cbridge::run([&] {
    cbridge::Chan<int> ping, pong;
    cbridge::go([ping, pong]() mutable {
      while (auto v = ping.recv()) pong.send(*v);
    });
    int64_t n = 0;
    for (auto _ : state) {
      if ((n++ & 1) == 0)
        ping.send(1);
      else
        pong.recv();
    }
    if (n & 1) pong.recv();
    ping.close();
  });
}
BENCHMARK(BM_ChanHandoff)->UseRealTime();

// yield with nothing else to run: the cost of a trip through the scheduler.
void BM_Yield(benchmark::State& state) {
  cbridge::run([&] {
    for (auto _ : state) cbridge::yield();
  });
}
BENCHMARK(BM_Yield)->UseRealTime();

// A task switch: two tasks yield to each other; each iteration is one
// switch from one to the other (compare with BM_FcontextSwitch, one way).
void BM_TaskSwitch(benchmark::State& state) {
  cbridge::run([&] {
    std::atomic<bool> stop{false};
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      while (!stop.load(std::memory_order_relaxed)) cbridge::yield();
      wg.done();
    });
    int64_t n = 0;
    for (auto _ : state) {
      cbridge::yield();
      n += 2;  // there and back
    }
    stop = true;
    wg.wait();
    state.counters["ns_per_switch"] =
        benchmark::Counter(double(n), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  });
}
BENCHMARK(BM_TaskSwitch)->UseRealTime();

// 100,000 tasks started and joined with a WaitGroup; one iteration is the
// whole batch.
void spawnJoin100k() {
  cbridge::WaitGroup wg;
  wg.add(100000);
  for (int i = 0; i < 100000; i++) cbridge::go([&] { wg.done(); });
  wg.wait();
}

void BM_SpawnJoin100k(benchmark::State& state) {
  cbridge::run([&] {
    // One untimed batch first, as Go's testing.Benchmark runs b.N=1 before
    // it measures: the first batch maps the stacks, later ones reuse them.
    spawnJoin100k();
    for (auto _ : state) spawnJoin100k();
  });
}
BENCHMARK(BM_SpawnJoin100k)->UseRealTime()->Unit(benchmark::kMillisecond);

// The floor under spawn+join: one dependent load per task's stack top,
// 100,000 tops 320 KiB apart (a default stack and its guard, as the
// runtime maps them), visited in address order (the peer) or in a
// shuffled order, as the free lists hand stacks out after tasks finished
// in random order. Each top holds the address of the next, so every hop
// is a miss the CPU cannot overlap: a TLB miss, then a page walk whose
// entries are adjacent in address order and scattered when shuffled.
// One iteration is one hop. The tops are made once per process (faulting
// 100,000 pages in takes about a second here) and hold both chains, the
// address-ordered one in word 0 of each top, the shuffled one in word 1;
// they stay mapped until the process exits.
struct StackTops {
  static constexpr size_t kTops = 100000, kStride = 320 * 1024;
  void** first[2] = {nullptr, nullptr};
  StackTops() {
    auto* base = static_cast<char*>(mmap(nullptr, kTops * kStride, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (base == MAP_FAILED) return;
    std::vector<size_t> order(kTops);
    for (size_t i = 0; i < kTops; i++) order[i] = i;
    for (int chain = 0; chain < 2; chain++) {
      if (chain == 1) std::shuffle(order.begin(), order.end(), std::mt19937_64(16));
      auto word = [&](size_t i) { return reinterpret_cast<void**>(base + (i + 1) * kStride - 64) + chain; };
      for (size_t i = 0; i < kTops; i++) *word(order[i]) = word(order[(i + 1) % kTops]);
      first[chain] = word(order[0]);
    }
  }
};

void stackTopChase(benchmark::State& state, int chain) {
  static StackTops tops;
  void** p = tops.first[chain];
  if (p == nullptr) {
    state.SkipWithError("mmap of the stack tops failed");
    return;
  }
  for (auto _ : state) p = static_cast<void**>(*p);
  benchmark::DoNotOptimize(p);
}
void BM_StackTopChaseAddressOrder(benchmark::State& state) { stackTopChase(state, 0); }
void BM_StackTopChaseShuffled(benchmark::State& state) { stackTopChase(state, 1); }
BENCHMARK(BM_StackTopChaseAddressOrder)->UseRealTime();
BENCHMARK(BM_StackTopChaseShuffled)->UseRealTime();

// The peer of a task switch: a bare fcontext switch, one way.
void BM_FcontextSwitch(benchmark::State& state) {
  constexpr size_t kSize = 64 * 1024;
  void* stack = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  auto loop = [](ctx::transfer_t t) {
    for (;;) t = ctx::jump_fcontext(t.fctx, nullptr);
  };
  ctx::fcontext_t other = ctx::make_fcontext(static_cast<char*>(stack) + kSize, kSize, loop);
  int64_t n = 0;
  for (auto _ : state) {
    other = ctx::jump_fcontext(other, nullptr).fctx;  // there and back: two switches
    n += 2;
  }
  state.SetItemsProcessed(n);
  state.counters["ns_per_switch"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  munmap(stack, kSize);
}
BENCHMARK(BM_FcontextSwitch)->UseRealTime();

long rssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

// Resident memory of 100,000 parked tasks, reported as a counter.
void BM_ParkedTasksRSS(benchmark::State& state) {
  for (auto _ : state) {
    long before = rssKiB();
    long during = 0;
    cbridge::run([&] {
      cbridge::Chan<int> gate;
      cbridge::WaitGroup parked, done;
      parked.add(100000);
      done.add(100000);
      for (int i = 0; i < 100000; i++)
        cbridge::go([&, gate]() mutable {
          parked.done();
          gate.recv();
          done.done();
        });
      parked.wait();
      during = rssKiB();
      gate.close();
      done.wait();
    });
    state.counters["MiB_per_100k_parked"] = double(during - before) / 1024.0;
  }
}
BENCHMARK(BM_ParkedTasksRSS)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
