// SPDX-License-Identifier: MIT
// A timer storm, the twin of bench/peers/go/timers: 100,000 Timers with
// random delays in [0, 100 ms) (time.AfterFunc in Go), all armed at once;
// each function records how late it ran. Printed as "name value" lines:
// the median and the largest lateness in milliseconds, and the tasks the
// storm started (cbridge only).
#include <cbridge/cbridge.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

using Clock = std::chrono::steady_clock;

int main() {
  const int n = 100000;
  cbridge::run([n] {
    std::vector<double> late(n);
    std::vector<std::unique_ptr<cbridge::Timer>> ts(n);
    cbridge::WaitGroup wg;
    wg.add(n);
    std::mt19937 rng(3);
    uint64_t tasks0 = cbridge::stats().tasks_created;
    for (int i = 0; i < n; i++) {
      auto d = std::chrono::microseconds(rng() % 100000);
      auto due = Clock::now() + d;
      ts[i] = std::make_unique<cbridge::Timer>(d, [&late, &wg, due, i] {
        late[i] = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        wg.done();
      });
    }
    wg.wait();
    uint64_t tasks = cbridge::stats().tasks_created - tasks0;
    std::sort(late.begin(), late.end());
    std::printf("StormLateP50Ms %.3f\nStormLateMaxMs %.3f\nStormTasks %llu\n", late[n / 2],
                late[n - 1], static_cast<unsigned long long>(tasks));
  });
}
