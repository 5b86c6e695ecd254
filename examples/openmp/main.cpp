// SPDX-License-Identifier: MIT
// An OpenMP `parallel for` calls managed code: the loop body calls a
// cbridge Callback's function pointer from the threads of the OpenMP team,
// which libgomp created and cbridge never saw.
//
// Each team thread binds an M on its first callback and keeps it in
// thread-local storage: the second parallel region runs on the same
// threads (libgomp keeps its pool), so it binds no new M and every one of
// its callbacks takes the warm path (a cache hit). The handler runs as a
// task and parks now and then (cbridge::sleep_for), as a handler waiting
// on I/O would, while the OpenMP thread waits for it.
#include <cbridge/cbridge.hpp>
#include <omp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <set>

namespace {

constexpr int kThreads = 4;
constexpr int kN = 20000;  // iterations per region

struct Region {
  int64_t sum;
  uint64_t callbacks, cacheHits, extraMsInUse;
  size_t ms;  // distinct Ms the callbacks ran on
};

}  // namespace

int main() {
  cbridge::Callback<int64_t(int)> term([](int i) -> int64_t {
    if (i % 1000 == 0) cbridge::sleep_for(std::chrono::microseconds(200));  // a handler that parks
    return int64_t{i} * 3 + 1;
  });
  int64_t (*fp)(int) = term.fn();

  // The Ms the callbacks ran on, gathered by a second callback at the end
  // of each team thread's share: m_id() in managed code names the M.
  std::mutex msMu;
  std::set<int64_t> ms;
  cbridge::Callback<void()> noteM([&] {
    std::lock_guard<std::mutex> g(msMu);
    ms.insert(cbridge::m_id());
  });
  void (*note)() = noteM.fn();

  auto region = [&]() -> Region {
    ms.clear();
    int64_t sum = 0;
#pragma omp parallel num_threads(kThreads) reduction(+ : sum)
    {
#pragma omp for schedule(dynamic, 64)
      for (int i = 0; i < kN; i++) sum += fp(i);
      note();
    }
    cbridge::Stats s = cbridge::stats();
    return {sum, s.callbacks, s.callback_cache_hits, s.extra_ms_in_use, ms.size()};
  };

  Region a = region();
  Region b = region();
  const int64_t want = int64_t{3} * kN * (kN - 1) / 2 + kN;
  const uint64_t perRegion = kN + kThreads;  // the terms and the notes
  std::printf("parallel for over %d threads, twice: sums %lld and %lld (want %lld)\n", kThreads,
              static_cast<long long>(a.sum), static_cast<long long>(b.sum),
              static_cast<long long>(want));
  std::printf("first region: %llu callbacks on %zu Ms, %llu extra Ms bound to threads\n",
              static_cast<unsigned long long>(a.callbacks), a.ms,
              static_cast<unsigned long long>(a.extraMsInUse));
  std::printf("second region: %llu callbacks on %zu Ms, all cache hits: %s, extra Ms bound: %llu\n",
              static_cast<unsigned long long>(b.callbacks - a.callbacks), b.ms,
              b.cacheHits - a.cacheHits == b.callbacks - a.callbacks ? "yes" : "no",
              static_cast<unsigned long long>(b.extraMsInUse));
  // The main thread is the team's thread 0: it binds an M too.
  bool ok = a.sum == want && b.sum == want && a.callbacks == perRegion &&
            b.callbacks - a.callbacks == perRegion &&
            b.cacheHits - a.cacheHits == perRegion &&  // no new binding: Ms cached per thread
            a.ms == kThreads && b.ms == kThreads && b.extraMsInUse == a.extraMsInUse &&
            a.extraMsInUse == kThreads;
  std::printf("%s\n", ok ? "OK" : "FAIL");
  return ok ? 0 : 1;
}
