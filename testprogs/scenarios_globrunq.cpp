// SPDX-License-Identifier: MIT
// Scenarios of the global run queue under load (#12.2). Each runs with
// CBRIDGE_MAXPROCS=2 and keeps both Ps busy with channel ping-pong pairs
// (or C threads calling callbacks in a loop), then puts tasks on the global
// queue the ways a program does: run() from main, a plain thread's send, a
// foreign call that outlasted its P, a C thread's callback, yield(). What
// they print is measured in work done, never in time: how many schedules
// (summed over the Ps) a globally queued task waited before a P took it
// (rt::globrunqwait), how many callbacks ran meanwhile, how many yields
// each task got. Numbers go to stderr for the failure message.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "runtime/runq.hpp"
#include "tests/cfuncs.h"
#include "testprogs/testprog.hpp"

namespace {

namespace rt = cbridge::rt;

// The most schedules a globally queued task may wait. Alone on the
// machine: 0-6 (the next schedule of a P takes a task readied from
// outside) and at most one global turn of each P (every 61st schedule)
// for the others; the summed ticks of both Ps are counted, so when the OS
// sets a P's thread aside between its look and its take the other P's
// schedules count on (169 seen under CI's parallel load, 1,650 under
// ThreadSanitizer there: a P's thread set aside for ~10 ms while the other
// P's pairs, at a few µs a schedule, run on). Before #12.2 a ping-pong
// pair counted no schedule while it inherited its slice, and tasks waited
// millions (5.4-11.5 M): the bound is set far from both.
constexpr uint32_t kMaxWait = 10000;

// Pairs of tasks that ping-pong over unbuffered channels; each round trip
// counts in trips. Started from main (a thread without a P), so they
// spread over both Ps. Made with load() and never freed: the pairs run
// until the process exits.
struct PingPong {
  std::atomic<long> trips{0};

  explicit PingPong(int pairs) {
    for (int k = 0; k < pairs; k++) {
      cbridge::Chan<int> a, b;
      cbridge::go([this, a, b]() mutable {
        for (;;) {
          a.send(1);
          b.recv();
          trips.fetch_add(1, std::memory_order_relaxed);
        }
      });
      cbridge::go([a, b]() mutable {
        for (;;) {
          a.recv();
          b.send(1);
        }
      });
    }
    // Under way on both Ps before anything is measured.
    while (trips.load(std::memory_order_relaxed) < 20000) std::this_thread::yield();
    rt::resetGlobrunqwait();
  }
};

PingPong* gLoad;  // reachable: the leak checker runs at exit
void load(int pairs) { gLoad = new PingPong(pairs); }

// report prints whether the globally queued tasks waited at most kMaxWait
// schedules, and that at least `atLeast` of them went through the queue.
int report(const char* what, uint64_t takenBefore, uint64_t atLeast) {
  rt::GlobrunqWait w = rt::globrunqwait();
  uint64_t taken = w.taken - takenBefore;
  std::fprintf(stderr, "%s: %llu taken from the global queue, waited at most %u schedules\n", what,
               static_cast<unsigned long long>(taken), w.max);
  std::printf("%s: queued globally: %s, waited at most %u schedules: %s\n", what,
              taken >= atLeast ? "yes" : "no", kMaxWait, w.max <= kMaxWait ? "yes" : "no");
  std::fflush(stdout);
  return 0;
}

// An empty run() from main, 50 times.
int runFromMain() {
  load(2);
  uint64_t before = rt::globrunqwait().taken;
  for (int i = 0; i < 50; i++) cbridge::run([] {});
  return report("run from main", before, 50);
}

// A task woken by a plain thread's send, 50 times. The task acks each
// value; by the next send it is (almost always) parked again, so most
// wake-ups go through the global queue.
int threadSend() {
  load(2);
  cbridge::Chan<int> c, ack;
  cbridge::go([c, ack]() mutable {
    while (auto v = c.recv()) ack.send(*v);
  });
  uint64_t before = rt::globrunqwait().taken;
  for (int i = 0; i < 50; i++) {
    // Time for the task to park again: a send that finds it not yet
    // parked waits for it instead of readying it. (Not a timing that
    // is asserted: a shorter wait only makes fewer wake-ups go through
    // the global queue.)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    c.send(i);
    ack.recv();
  }
  c.close();
  return report("woken by a thread's send", before, 1);
}

// A task returning from 20 blocking foreign calls of 5 ms: sysmon hands
// its P to the pairs meanwhile, so it mostly comes back to no P (when it
// finds one idle it takes it; so only the run() is sure to be queued).
int foreignCallReturn() {
  load(4);
  uint64_t before = rt::globrunqwait().taken;
  cbridge::run([] {
    for (int i = 0; i < 20; i++) cbridge::call(sleep_ms, 5);
  });
  return report("back from a foreign call", before, 1);
}

// A callback from a new C thread, 20 times: the thread's M has no P.
int threadCallback() {
  load(2);
  std::atomic<long> ran{0};
  cbridge::Callback<long(long)> cb([&](long x) {
    ran.fetch_add(1, std::memory_order_relaxed);
    return x;
  });
  uint64_t before = rt::globrunqwait().taken;
  for (int i = 0; i < 20; i++) call_cb_on_new_thread(cb.fn(), 1);
  return report("a C thread's callback", before, 1);
}

// Two C threads call callbacks in a tight loop, one on each P, while
// main starts a task 20 times. Measured in callbacks: how many ran between
// the task's go() and its start, at most. Before #12.2 an extra M kept its
// P between callbacks for as long as its thread kept calling: the task
// waited until sysmon happened to retake a P (the OS had set a thread
// aside between two callbacks for 20 us) or the loops ended. Now a
// returning callback hands its P off when such a task waits: 0-2
// callbacks in 19 runs of 20 here, and about 45,000 in the 20th, where the
// OS kept the M taking the P off the CPU for a time slice (3-6 ms) with
// both cores calling back. The bound is set above that noise: this guards
// against the starvation coming back (tasks waiting out the loops, or
// hundreds of thousands of callbacks), not the last few milliseconds; on
// this machine the old code exceeded it only in some runs (106,329 of 4
// sets of 20).
int callbackLoops() {
  constexpr long kCalls = 400000;  // per thread
  constexpr long kMaxCallbacks = 100000;
  constexpr int kRuns = 20;
  std::atomic<long> calls{0};
  cbridge::Callback<long(long)> cb([&](long x) {
    calls.fetch_add(1, std::memory_order_relaxed);
    return x;
  });
  std::thread a([&] { call_cb_on_new_thread(cb.fn(), kCalls); });
  std::thread b([&] { call_cb_on_new_thread(cb.fn(), kCalls); });
  while (calls.load(std::memory_order_relaxed) < 2000) std::this_thread::yield();
  // A run is judged only while the loops have kMaxCallbacks more to make
  // after its go(): a task starved until the loops end then shows as a
  // wait beyond the bound. (Under ThreadSanitizer the loops may end
  // before main's last runs, which then have nothing to wait for.)
  long most = 0, judged = 0;
  for (int i = 0; i < kRuns; i++) {
    // Counted from after go() queued the task: the OS may set main aside
    // for a whole time slice (3-6 ms, 40,000-60,000 callbacks here) with
    // both cores busy calling back, and that wait is not the runtime's.
    cbridge::Chan<long> started(1);
    cbridge::go([&calls, started]() mutable { started.send(calls.load(std::memory_order_relaxed)); });
    long queued = calls.load(std::memory_order_relaxed);
    long atStart = started.recv().value_or(0);
    if (queued > 2 * kCalls - kMaxCallbacks) break;
    judged++;
    most = std::max(most, atStart - queued);
  }
  std::fprintf(stderr, "at most %ld callbacks ran before a task started, in %ld runs judged\n", most,
               judged);
  std::printf("a task between callback loops: started within %ld callbacks: %s\n", kMaxCallbacks,
              judged > 0 && most <= kMaxCallbacks ? "yes" : "no");
  std::fflush(stdout);
  a.join();
  b.join();
  return 0;
}

// yieldRound has five tasks yield in a loop on two Ps until kYields
// yields were made in all, and returns the max/min ratio of their counts.
constexpr long kYields = 2000000;
double yieldRound() {
  constexpr int kTasks = 5;
  std::vector<long> counts(kTasks);
  cbridge::run([&] {
    std::atomic<long> total{0};
    cbridge::WaitGroup wg;
    wg.add(kTasks);
    for (int i = 0; i < kTasks; i++)
      cbridge::go([&, i] {
        long n = 0;
        while (total.fetch_add(1, std::memory_order_relaxed) < kYields) {
          n++;
          cbridge::yield();
        }
        counts[size_t(i)] = n;
        wg.done();
      });
    wg.wait();
  });
  long mn = *std::min_element(counts.begin(), counts.end());
  long mx = *std::max_element(counts.begin(), counts.end());
  double ratio = double(mx) / double(mn > 0 ? mn : 1);
  std::fprintf(stderr, "yields per task:");
  for (long c : counts) std::fprintf(stderr, " %ld", c);
  std::fprintf(stderr, " (max/min %.2f)\n", ratio);
  return ratio;
}

// Each of five yielding tasks must get a fair share of 2,000,000 yields
// on two Ps. Before #12.2 a yielding task stayed on its P: 3 on one P and
// 2 on the other got 1.5x (4:1, 4x), run after run. Go's Gosched: within
// 1.16x; here 1.10-1.27 on a shared 2-core machine, where what is left is
// the OS setting one P's thread aside while it runs a task (1.67 seen once
// under a parallel build). So the best of three rounds counts: the old
// split fails all three.
int yieldFairness() {
  constexpr double kMaxRatio = 1.4;
  double best = 1e9;
  for (int round = 0; round < 3 && best > kMaxRatio; round++) best = std::min(best, yieldRound());
  std::printf("5 yielding tasks on 2 Ps: max/min within %.1f: %s\n", kMaxRatio,
              best <= kMaxRatio ? "yes" : "no");
  std::fflush(stdout);
  return 0;
}

testprog::Register r1("GlobrunqRunFromMain", runFromMain);
testprog::Register r2("GlobrunqThreadSend", threadSend);
testprog::Register r3("GlobrunqForeignCallReturn", foreignCallReturn);
testprog::Register r4("GlobrunqThreadCallback", threadCallback);
testprog::Register r5("GlobrunqCallbackLoops", callbackLoops);
testprog::Register r6("YieldFairness", yieldFairness);

}  // namespace
