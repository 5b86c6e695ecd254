// SPDX-License-Identifier: MIT
// Callbacks from C code with threads and stacks of its own, through the
// public API of the whole library, the same program on Linux and (cross,
// with mingw-w64) on Windows; its foreign side is the OS's own
// (callback_test_linux.cpp, callback_test_windows.cpp). Each part prints
// counts, never a time, an address or an id, so the outputs must be the
// same line for line (scripts/test-windows):
//   - fibers: a thread (one the runtime never made) runs 4 fibers, each on
//     a stack of its own (Windows: CreateFiber and SwitchToFiber; Linux:
//     ucontext coroutines), that call back in turn, so each callback comes
//     from another stack than the one before: the extra M's system-stack
//     bounds must be refreshed at each (callbackUpdateSystemStack). Each
//     handler parks and makes a foreign call that calls back twice on
//     that stack; if the bounds were not refreshed those nested callbacks
//     would find sp outside them, a fatal error. The thread makes its
//     first callback from a fiber, deletes its fibers, calls back once
//     more from its own stack and ends: one M for all its callbacks, and
//     released at the thread's exit, however the fibers came and went;
//   - a thread that calls back from its own stack, then from a fiber,
//     and ends on the fiber: its M is released all the same;
//   - a thread pool (Windows: TrySubmitThreadpoolCallback on a pool of 4
//     threads; Linux: 4 std::threads): 1,000 callbacks, each thread's
//     first binds an extra M that the thread's later ones reuse.
// Its last line says the run ended; a hang or crash fails the comparison.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/chan.hpp>
#include <cbridge/runtime.hpp>
#include <cbridge/task.hpp>
#include <cbridge/timer.hpp>
#include <cbridge/waitgroup.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "callback_test_foreign.h"

// Calls back twice: callbacks nested in a foreign call, on the stack the
// foreign call runs on.
extern "C" int cbt_twice(int (*cb)(int)) { return cb(0) + cb(1); }

namespace {

using namespace std::chrono_literals;

// What a part changed of the runtime's callback counters.
struct Counters {
  uint64_t callbacks, cacheHits, boundUpdates;
  int64_t extraInUse;

  static Counters now() {
    cbridge::Stats s = cbridge::stats();
    return {s.callbacks, s.callback_cache_hits, s.stack_bound_updates, int64_t(s.extra_ms_in_use)};
  }
  Counters since(const Counters& before) const {
    return {callbacks - before.callbacks, cacheHits - before.cacheHits,
            boundUpdates - before.boundUpdates, extraInUse - before.extraInUse};
  }
};

const char* yesno(bool b) { return b ? "yes" : "no"; }

void fibers() {
  constexpr int kFibers = 4, kRounds = 10;
  std::atomic<int> nested{0}, bad{0};
  cbridge::Callback<int(int)> inner([&](int i) {
    nested++;
    return i + 1;
  });
  // From each fiber: park on a timer and a channel (the G parks, the
  // thread waits on its fiber's stack), then a foreign call that calls
  // back on that stack.
  std::atomic<int> fromFiber{0}, fromThread{0};
  cbridge::Callback<void(int)> cb([&](int fiber) {
    cbridge::sleep_for(100us);
    cbridge::Chan<int> c(1);
    cbridge::go([c, fiber]() mutable { c.send(fiber); });
    if (c.recv() != fiber) bad++;
    if (cbridge::call(cbt_twice, inner.fn()) != 3) bad++;
    (fiber < 0 ? fromThread : fromFiber)++;
  });
  Counters before = Counters::now();
  cbridge::call(cbt_fibers, cb.fn(), kFibers, kRounds);
  Counters d = Counters::now().since(before);
  std::printf("fibers: %d fibers x %d rounds: %d callbacks from the fibers, %d from the thread's stack, "
              "%d nested, %d wrong results\n",
              kFibers, kRounds, fromFiber.load(), fromThread.load(), nested.load(), bad.load());
  std::printf("fibers: %llu callbacks, %llu on the M cached by the first, bounds refreshed %llu times\n",
              (unsigned long long)d.callbacks, (unsigned long long)d.cacheHits,
              (unsigned long long)d.boundUpdates);
  std::printf("fibers: the thread's extra M released at its exit: %s\n", yesno(d.extraInUse == 0));
}

void exitOnFiber() {
  std::atomic<int> calls{0};
  cbridge::Callback<void(int)> cb([&](int) {
    cbridge::sleep_for(100us);
    calls++;
  });
  Counters before = Counters::now();
  cbridge::call(cbt_exit_on_fiber, cb.fn());
  Counters d = Counters::now().since(before);
  std::printf("exit on a fiber: %d callbacks (%llu on the cached M), the thread's extra M released: %s\n",
              calls.load(), (unsigned long long)d.cacheHits, yesno(d.extraInUse == 0));
}

void pool() {
  constexpr int kJobs = 1000;
  cbridge::WaitGroup wg;
  std::atomic<int64_t> sum{0};
  cbridge::Callback<void(int)> job([&](int i) {
    sum += i;
    wg.done();
  });
  wg.add(kJobs);
  Counters before = Counters::now();
  int failed = cbridge::call(cbt_pool_submit, job.fn(), kJobs);
  if (failed != 0) {
    std::printf("pool: %d jobs not submitted\n", failed);
    wg.add(-failed);
  }
  wg.wait();
  Counters d = Counters::now().since(before);
  int threads = cbridge::call(cbt_pool_threads);
  std::printf("pool: %llu callbacks run, sum %lld\n", (unsigned long long)d.callbacks,
              (long long)sum.load());
  // Each thread's first callback bound it an extra M (needm); every later
  // one found it cached.
  std::printf("pool: all but each thread's first callback on its cached M: %s\n",
              yesno(d.cacheHits == uint64_t(kJobs - threads)));
  std::printf("pool: at most one extra M in use per thread: %s\n",
              yesno(d.extraInUse <= threads));
  cbridge::call(cbt_pool_close);
}

}  // namespace

int main() {
  int r = cbridge::run([] {
    fibers();
    exitOnFiber();
    pool();
    return 42;
  });
  std::printf("run returned %d\n", r);
  std::fflush(stdout);
  return 0;
}
