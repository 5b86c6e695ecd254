// SPDX-License-Identifier: MIT
// A nested callback must leave the outer callback's M lock as it found it
// (issue #11.2): thread → callback → C → callback → return, and then the
// outer handler parks (a sleep, a channel) and calls C again, always on
// its own thread. Before the fix the nested return cleared the lock and
// the outer handler resumed on another thread, returning into the C
// caller's frames there: SIGSEGV.
//
// nested_callback_lock THREADS ROUNDS [busy]: busy keeps every P running
// yielding tasks, so the outer handler's C call loses its P to sysmon.
// Prints PASS.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "nested_c.h"

namespace {

std::atomic<long> bad{0};
std::atomic<long> done{0};

long tid() { return syscall(SYS_gettid); }

void expectSameThread(long t0, int64_t m0, const char* after) {
  if (tid() == t0 && cbridge::m_id() == m0) return;
  if (bad.fetch_add(1) < 5)
    std::fprintf(stderr, "outer handler moved from thread %ld (m%lld) to %ld (m%lld) after %s\n", t0,
                 static_cast<long long>(m0), tid(), static_cast<long long>(cbridge::m_id()), after);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: nested_callback_lock THREADS ROUNDS [busy]\n");
    return 64;
  }
  int threads = std::atoi(argv[1]), rounds = std::atoi(argv[2]);
  bool busy = argc > 3 && std::strcmp(argv[3], "busy") == 0;
  cbridge::Callback<int(int)> inner([](int x) { return x + 1; });
  int (*innerFn)(int) = inner.fn();
  cbridge::Callback<int(int)> outer([innerFn, busy](int x) {
    long t0 = tid();
    int64_t m0 = cbridge::m_id();
    int r = busy ? cbridge::call(nested_call_then_sleep, innerFn, x, 300000L)
                 : cbridge::call(nested_call_through, innerFn, x);
    expectSameThread(t0, m0, "the nested callback");
    cbridge::sleep_for(std::chrono::microseconds(20));
    expectSameThread(t0, m0, "a sleep");
    cbridge::Chan<int> c;
    cbridge::go([c]() mutable { c.send(1); });
    r += c.recv().value_or(-1000);
    expectSameThread(t0, m0, "a channel receive");
    r += cbridge::call(nested_call_through, innerFn, 0) - 1;
    expectSameThread(t0, m0, "a second foreign call");
    return r;
  });
  std::atomic<bool> stop{false};
  cbridge::WaitGroup spinners;
  if (busy) {
    for (int i = 0; i < 2; i++) {
      spinners.add(1);
      cbridge::go([&] {
        while (!stop.load()) cbridge::yield();
        spinners.done();
      });
    }
  }
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; t++)
    ts.emplace_back([&, t] {
      for (int i = 0; i < rounds; i++) {
        int x = t * rounds + i;
        long t0 = tid();
        if (outer.fn()(x) != x + 2 || tid() != t0) bad.fetch_add(1);
        done.fetch_add(1);
      }
    });
  for (auto& t : ts) t.join();
  stop.store(true);
  spinners.wait();
  std::printf("%s\n", bad.load() == 0 && done.load() == long(threads) * rounds ? "PASS" : "FAIL");
  return 0;
}
