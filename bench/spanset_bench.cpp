// SPDX-License-Identifier: MIT
// The span set (runtime/spanset.hpp) against two shared free lists a user
// would reach for: a std::mutex-guarded std::vector (push_back/pop_back)
// and Boost.Lockfree's stack. bench/compare.py runs the rows as
// alternated pairs (its "spanset" mode); issue 14's goal is the span set
// ahead of both at 2 and 8 threads.
//
// Every benchmark runs on 1, 2 and 8 threads (8 oversubscribes a 2-core
// machine on purpose: a thread descheduled in the middle of an operation
// is the case a lock-free structure is for). All threads share one
// structure, made by Setup before the threads start and checked and
// destroyed by Teardown after they have all stopped.
//
// One iteration is one pair: push the item in hand, pop one. A pop that
// finds the structure empty is not retried: it counts in pop_empty, and
// the thread's next push takes a new spare item. Each structure is
// prefilled with kPrefill items, and each thread's pop follows its own
// push, so the structures never hold fewer than kPrefill items: a mutex
// vector or a Boost stack never sees empty. The span set may (its pop
// reports empty while the head's block is being installed, as Go's does),
// and pop_empty says how often. A push the structure refuses (full)
// counts in push_full, keeps its item in hand and skips the pop; none is
// expected.
//
// items_per_second is pairs per second, all threads together; the real
// time per iteration is Google Benchmark's wall time over all threads'
// iterations, so it is the inverse: ns per pair, all threads together
// (one thread's own pair takes that times the thread count).
//
// Items are 64-byte aligned and never read or written here: only the
// structures' own memory moves between cores, not the items'.
//
// Teardown drains the structure and checks that it holds exactly the
// items the counts say (prefill + pushes - pops), each once: a
// benchmark of a set that loses or duplicates items measures nothing.
#include <benchmark/benchmark.h>

#include <boost/lockfree/stack.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "runtime/spanset.hpp"

namespace {

struct alignas(64) Item {
  uint64_t unused;
};

constexpr int kPrefill = 64;

// The span set as the issue sizes it: a ring of 1024 block slots, blocks
// of 512 entries (Go's), so up to 1023 * 512 items; its blocks come from
// the global pool, as the runtime's sets' do (a pool never gives its
// blocks back to the allocator). blocks_made counts the blocks the pool
// made during the run.
using SpanSet = cbridge::rt::SpanSet<Item, 1024, 512>;

struct SpanSetList {
  SpanSet::Pool& pool = SpanSet::Pool::global;
  const int64_t madeBefore = pool.made();
  SpanSet set{pool};
  // A set has no destructor (the runtime's live as long as the process):
  // once drained, reset gives its last block back to the pool, and fails
  // loudly if a block was leaked.
  void drained() { set.reset(); }
  bool push(Item* it) { return set.push(it); }
  Item* pop() { return set.pop(); }
};

// The lock serializes every push and pop; the vector's storage is
// reserved, so push_back never reallocates under it.
struct MutexVector {
  void drained() {}
  std::mutex mu;
  std::vector<Item*> v;  // guarded by mu
  MutexVector() { v.reserve(1 << 16); }
  bool push(Item* it) {
    std::lock_guard<std::mutex> g(mu);
    v.push_back(it);
    return true;
  }
  Item* pop() {
    std::lock_guard<std::mutex> g(mu);
    if (v.empty()) return nullptr;
    Item* it = v.back();
    v.pop_back();
    return it;
  }
};

// Boost's default, node-based stack: each push takes a node from the
// stack's lock-free freelist (reserved up front, so push never calls the
// allocator while the freelist has nodes) and each pop gives it back --
// two CASes per operation, on the stack's head and on the freelist's.
struct BoostStack {
  void drained() {}
  boost::lockfree::stack<Item*> s{4096};
  bool push(Item* it) { return s.push(it); }
  Item* pop() {
    Item* it = nullptr;
    return s.pop(it) ? it : nullptr;
  }
};

// Boost's fixed-capacity stack: the nodes are an array, linked by 16-bit
// indexes with a 16-bit ABA tag, so each CAS is on 32 bits; push fails
// when all 65534 nodes are in use.
struct BoostFixedStack {
  void drained() {}
  boost::lockfree::stack<Item*, boost::lockfree::capacity<65534>> s;
  bool push(Item* it) { return s.bounded_push(it); }
  Item* pop() {
    Item* it = nullptr;
    return s.pop(it) ? it : nullptr;
  }
};

// One benchmark run's shared state: made by Setup, before the threads;
// the counts are added by each thread when its loop is done, and read by
// Teardown after every thread has stopped (Google Benchmark joins them),
// so relaxed adds are enough.
template <class List>
struct Run {
  List list;
  Item prefill[kPrefill];
  std::atomic<int64_t> pushes{0}, pops{0};
  // Spare items: each thread's first item in hand, and one after each pop
  // that found empty; owned here so that Teardown can free them.
  std::mutex sparesMu;
  std::vector<std::unique_ptr<Item>> spares;  // guarded by sparesMu

  Item* spare() {
    std::lock_guard<std::mutex> g(sparesMu);
    spares.push_back(std::make_unique<Item>());
    return spares.back().get();
  }
};

template <class List>
Run<List>* run;

template <class List>
void setup(const benchmark::State&) {
  run<List> = new Run<List>;
  for (Item& it : run<List>->prefill)
    if (!run<List>->list.push(&it)) {
      std::fprintf(stderr, "spanset_bench: prefill push refused\n");
      std::abort();
    }
}

template <class List>
void teardown(const benchmark::State&) {
  Run<List>* r = run<List>;
  int64_t want = kPrefill + r->pushes.load(std::memory_order_relaxed) - r->pops.load(std::memory_order_relaxed);
  std::unordered_set<Item*> seen;
  while (Item* it = r->list.pop())
    if (!seen.insert(it).second) {
      std::fprintf(stderr, "spanset_bench: item %p popped twice\n", static_cast<void*>(it));
      std::abort();
    }
  if (int64_t(seen.size()) != want) {
    std::fprintf(stderr, "spanset_bench: drained %zu items, the counts say %lld\n", seen.size(),
                 static_cast<long long>(want));
    std::abort();
  }
  r->list.drained();
  delete r;
  run<List> = nullptr;
}

template <class List>
void BM_PushPop(benchmark::State& state) {
  Run<List>& r = *run<List>;
  Item* hand = nullptr;  // the item to push next: a spare, or the last one popped
  int64_t pushes = 0, pops = 0, empty = 0, full = 0;
  for (auto _ : state) {
    if (hand == nullptr) hand = r.spare();
    if (!r.list.push(hand)) {
      full++;  // keep it in hand, and pop nothing: the pair did not happen
      continue;
    }
    pushes++;
    hand = r.list.pop();
    if (hand != nullptr)
      pops++;
    else
      empty++;
  }
  // The item in hand goes back, so that Teardown finds every item.
  if (hand != nullptr) {
    while (!r.list.push(hand)) full++;
    pushes++;
  }
  r.pushes.fetch_add(pushes, std::memory_order_relaxed);
  r.pops.fetch_add(pops, std::memory_order_relaxed);
  state.SetItemsProcessed(state.iterations());
  state.counters["pop_empty"] = benchmark::Counter(double(empty));
  state.counters["push_full"] = benchmark::Counter(double(full));
  if constexpr (std::is_same_v<List, SpanSetList>)
    if (state.thread_index() == 0) state.counters["blocks_made"] = double(r.list.pool.made() - r.list.madeBefore);
}

void args(benchmark::internal::Benchmark* b) { b->Threads(1)->Threads(2)->Threads(8)->UseRealTime(); }

#define PUSHPOP(label, List) \
  BENCHMARK(BM_PushPop<List>)->Name(#label)->Setup(setup<List>)->Teardown(teardown<List>)->Apply(args)

PUSHPOP(BM_SpanSet, SpanSetList);
PUSHPOP(BM_MutexVector, MutexVector);
// Under ThreadSanitizer the Boost rows are left out: Boost.Lockfree's
// freelist reads a node's link with a plain load while another thread may
// be pushing that node again -- the benign race of a lock-free stack,
// which runtime/lfstack.hpp makes an atomic load -- and ThreadSanitizer
// reports it (boostorg/lockfree issues 22 and 78), which says nothing
// about cbridge.
#if defined(__SANITIZE_THREAD__)
#define SPANSET_BENCH_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SPANSET_BENCH_TSAN 1
#endif
#endif
#ifndef SPANSET_BENCH_TSAN
PUSHPOP(BM_BoostStack, BoostStack);
PUSHPOP(BM_BoostFixedStack, BoostFixedStack);
#endif

}  // namespace

BENCHMARK_MAIN();
