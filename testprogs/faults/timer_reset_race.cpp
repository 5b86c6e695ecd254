// SPDX-License-Identifier: MIT
// Concurrent Timer::reset from two tasks, then stop() and destroy (issue
// #12.3, the repro timer_race3): before the fix, the second reset put the
// timer in the heap twice, and the process died of a corrupted heap
// (SIGSEGV, SIGILL, bad_array_new_length) or ran callbacks after stop().
// Here every stop() must find the timer armed (true), no callback may run,
// and no stale arming may be left in the heap. Prints PASS.
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
  auto fired = std::make_shared<std::atomic<long>>(0);
  long stopFalse = 0;
  int64_t armed0 = cbridge::stats().timers_armed;
  cbridge::run([&] {
    for (int r = 0; r < rounds; r++) {
      cbridge::Timer t(1h, [fired] { (*fired)++; });
      cbridge::WaitGroup wg;
      wg.add(2);
      for (int g = 0; g < 2; g++)
        cbridge::go([&, g] {
          for (int i = 0; i < 200; i++) t.reset(g ? 20s : 10s);
          wg.done();
        });
      wg.wait();
      if (!t.stop()) stopFalse++;
    }
  });
  int64_t armed = cbridge::stats().timers_armed - armed0;
  if (stopFalse != 0 || fired->load() != 0 || armed != 0) {
    std::printf("FAIL: stop()==false %ld times, %ld callbacks ran, %lld stale armings\n", stopFalse,
                fired->load(), static_cast<long long>(armed));
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}
