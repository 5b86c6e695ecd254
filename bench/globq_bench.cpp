// SPDX-License-Identifier: MIT
// Tasks that reach the global run queue while both Ps are busy, the twin
// of bench/peers/go/globq: two channel ping-pong pairs keep 2 Ps busy
// while a task makes 20 ms C calls (usleep) one after the other; on
// return it must get a P back, the global queue's case (Go's exitsyscall0).
// Printed as "name value" lines: the median and the largest extra time a
// call took beyond its 20 ms, in milliseconds.
#include <cbridge/call.hpp>
#include <cbridge/cbridge.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

using Clock = std::chrono::steady_clock;

extern "C" int globq_bench_sleep_us(unsigned us) { return usleep(us); }

int main() {
  constexpr int kCalls = 30;
  constexpr unsigned kCallUs = 20000;
  std::vector<double> extra;
  cbridge::run([&] {
    std::atomic<bool> stop{false};
    cbridge::WaitGroup pairs;
    for (int k = 0; k < 2; k++) {
      cbridge::Chan<int> a, b;
      pairs.add(2);
      cbridge::go([&, a, b]() mutable {
        while (!stop.load(std::memory_order_relaxed)) {
          a.send(1);
          b.recv();
        }
        a.close();
        pairs.done();
      });
      cbridge::go([&, a, b]() mutable {
        while (a.recv()) b.send(1);
        pairs.done();
      });
    }
    cbridge::sleep_for(std::chrono::milliseconds(50));
    for (int i = 0; i < kCalls; i++) {
      auto t0 = Clock::now();
      cbridge::call(globq_bench_sleep_us, kCallUs);
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      extra.push_back(ms - kCallUs / 1000.0);
    }
    stop.store(true, std::memory_order_relaxed);
    pairs.wait();
  });
  std::sort(extra.begin(), extra.end());
  std::printf("SyscallReturnExtraP50Ms %.3f\nSyscallReturnExtraMaxMs %.3f\n", extra[extra.size() / 2],
              extra.back());
}
