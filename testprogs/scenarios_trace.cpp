// SPDX-License-Identifier: MIT
// Scenarios of the execution trace (tests/trace_test.cpp checks the files
// they leave). Each does a known amount of every kind of work and prints
// the runtime's own counts of it, which the trace's events must match.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "testprogs/testprog.hpp"
#include "tests/cfuncs.h"

namespace {

namespace net = cbridge::net;
using namespace std::chrono_literals;

constexpr int kForeignCalls = 10;
constexpr long kCallbacks = 5;

// work does, from a task: channel waits, sleeps, foreign calls, callbacks
// from a C thread, a TCP exchange over 127.0.0.1, a preemption, and a
// foreign call long enough for sysmon to retake its P. It prints the C
// thread's id and how many foreign calls it made.
void work() {
  cbridge::WaitGroup wg;
  cbridge::Chan<int> ch;
  for (int i = 0; i < 3; i++) {
    wg.add(1);
    cbridge::go([&] {
      ch.recv();
      wg.done();
    });
  }
  for (int i = 0; i < 3; i++) ch.send(i);
  for (int i = 0; i < 3; i++) {
    wg.add(1);
    cbridge::go([&] {
      cbridge::sleep_for(1ms);
      wg.done();
    });
  }
  for (int i = 0; i < kForeignCalls; i++) cbridge::call(empty_fn);
  // The callbacks' C thread: its id, as the trace names it.
  static std::atomic<long> cthread{0};
  cbridge::Callback<long(long)> cb([](long i) {
    cthread.store(gettid(), std::memory_order_relaxed);
    return i;
  });
  cbridge::call(call_cb_on_new_thread, cb.fn(), kCallbacks);
  // Long enough (60 ms) that sysmon takes the P even with another idle.
  cbridge::call(sleep_ms, 60);
  // The netpoller: an echo of 5 bytes over 127.0.0.1.
  auto [ln, lerr] = net::listen_tcp("127.0.0.1", 0);
  if (lerr) {
    std::printf("listen: %s\n", lerr.message().c_str());
    std::exit(1);
  }
  uint16_t port = ln.port();
  wg.add(1);
  cbridge::go([&, l = std::move(ln)]() mutable {
    auto [c, err] = l.accept();
    char buf[5];
    if (!err && c.read(buf, 5).n == 5) c.write(buf, 5);
    c.close();
    l.close();
    wg.done();
  });
  auto [conn, derr] = net::dial_tcp("127.0.0.1", port);
  char buf[5];
  if (derr || conn.write("hello", 5).n != 5 || conn.read(buf, 5).n != 5) {
    std::printf("echo failed\n");
    std::exit(1);
  }
  conn.close();
  // A task that runs until sysmon asks it to stop (after 10 ms).
  wg.add(1);
  cbridge::go([&] {
    uint64_t before = cbridge::stats().preempt_cooperative;
    while (cbridge::stats().preempt_cooperative == before) cbridge::checkpoint();
    wg.done();
  });
  wg.wait();
  std::printf("c_thread %ld\nforeign_calls %d\ncallbacks %ld\n", cthread.load(), kForeignCalls + 2,
              kCallbacks);
}

// printStats prints the runtime's counts the trace must agree with, once
// run()'s task has exited too (it ends just after run() returns).
void printStats() {
  for (int i = 0; i < 100000 && cbridge::stats().tasks_live != 0; i++) usleep(100);
  cbridge::Stats s = cbridge::stats();
  std::printf("tasks_created %llu\ntasks_live %lld\nextra_ms %llu\nretakes %llu\npreemptions %llu\n",
              static_cast<unsigned long long>(s.tasks_created), static_cast<long long>(s.tasks_live),
              static_cast<unsigned long long>(s.extra_ms_idle + s.extra_ms_in_use),
              static_cast<unsigned long long>(s.syscall_retakes),
              static_cast<unsigned long long>(s.preempt_async + s.preempt_cooperative));
}

// TraceEvents runs under CBRIDGE_TRACE=file: the trace covers the whole
// run and is written at exit.
int traceEvents() {
  cbridge::run(work);
  printStats();
  return 0;
}

// TraceApi starts and stops traces with the API while tasks run, and
// prints what each call returned: a task parked before the start and
// woken inside the trace, then a second trace through the C API. The
// paths come from the environment (TRACE_A, TRACE_B).
int traceApi() {
  const char* a = std::getenv("TRACE_A");
  const char* b = std::getenv("TRACE_B");
  if (a == nullptr || b == nullptr) return 1;
  cbridge::run([&] {
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      cbridge::sleep_for(20ms);  // parked before the trace starts, woken in it
      wg.done();
    });
    // Its timer is armed once it is parked (the park's unlock arms it).
    for (int i = 0; i < 10000000 && cbridge::stats().timers_armed == 0; i++) cbridge::yield();
    std::printf("start %d\n", cbridge::trace_start(a));
    std::printf("start_again_busy %d\n", cbridge::trace_start(a) == CBRIDGE_ERR_BUSY);
    wg.wait();
    work();
    std::printf("stop %d\n", cbridge::trace_stop());
    std::printf("stop_again %d\n", cbridge::trace_stop());
    std::printf("missing_dir_enoent %d\n", cbridge_trace_start("/nonexistent-dir/trace.json") == -ENOENT);
    std::printf("c_start %d\n", cbridge_trace_start(b));
    for (int i = 0; i < kForeignCalls; i++) cbridge::call(empty_fn);
    std::printf("c_stop %d\n", cbridge_trace_stop());
  });
  return 0;
}

testprog::Register r1("TraceEvents", traceEvents);
testprog::Register r2("TraceApi", traceApi);

}  // namespace
