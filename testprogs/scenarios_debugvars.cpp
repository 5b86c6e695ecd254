// SPDX-License-Identifier: MIT
// Scenarios of CBRIDGE_DEBUG (runtime/debugvars.hpp): what a process sees
// of the variable, and how often it is told about a bad item.
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "runtime/debugvars.hpp"
#include "testprogs/testprog.hpp"

namespace {

// debugKeysConsulted consults the keys many times, from tasks, from
// callbacks on threads of its own and from main, as the runtime's reports
// do, and prints what it found.
int debugKeysConsulted() {
  std::atomic<int> on{0};
  auto consult = [&on] {
    for (int i = 0; i < 1000; i++)
      on += cbridge::rt::debugEnabled("shutdown") + int(cbridge::rt::debugValue("foo"));
  };
  cbridge::Callback<void()> cb(consult);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; i++) threads.emplace_back([&cb] { cb.fn()(); });
  for (auto& t : threads) t.join();
  cbridge::WaitGroup wg;
  for (int i = 0; i < 4; i++) {
    wg.add(1);
    cbridge::go([&] {
      consult();
      wg.done();
    });
  }
  wg.wait();
  consult();
  std::printf("shutdown on in %d of 9000 looks\n", on.load());
  return 0;
}

testprog::Register r1("DebugKeysConsulted", debugKeysConsulted);

}  // namespace
