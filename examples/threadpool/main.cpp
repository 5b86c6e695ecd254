// SPDX-License-Identifier: MIT
// A C library's worker threads call back into managed code: each callback
// (on a thread cbridge never created) sends its result on a channel that
// a task reads, and sleeps a little as real handlers block, without
// holding up anything else.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>

#include <chrono>
#include <cstdio>
#include <set>

#include "pool.h"

int main() {
  cbridge::Chan<std::pair<int, int64_t>> results(64);
  cbridge::Callback<void(int)> onJob([&](int job) {
    cbridge::sleep_for(std::chrono::milliseconds(1));  // parks this task, not the pool's thread's P
    results.send({job * job, cbridge::m_id()});
  });

  cbridge::WaitGroup done;
  done.add(1);
  long sum = 0;
  std::set<int64_t> ms;
  cbridge::go([&] {
    for (int i = 0; i < 200; i++) {
      auto r = *results.recv();
      sum += r.first;
      ms.insert(r.second);
    }
    done.done();
  });

  // The pool runs on 4 threads of its own; we call it from a task as any
  // C function, so this task's P is free while the pool works.
  cbridge::run([&] { cbridge::call(pool_map, 4, 200, onJob.fn()); });
  done.wait();

  std::printf("sum of squares 0..199 from the pool's callbacks: %ld (expected %ld)\n", sum,
              199L * 200 * 399 / 6);
  std::printf("the callbacks ran on %zu Ms, one per pool thread\n", ms.size());
  cbridge::Stats s = cbridge::stats();
  std::printf("callbacks served: %llu; extra Ms idle after the pool's threads exited: %llu\n",
              static_cast<unsigned long long>(s.callbacks),
              static_cast<unsigned long long>(s.extra_ms_idle));
  return sum == 199L * 200 * 399 / 6 ? 0 : 1;
}
