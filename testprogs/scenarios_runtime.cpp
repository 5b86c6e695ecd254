// SPDX-License-Identifier: MIT
// Scenarios of the scheduler's fatal paths and of shutdown.
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "testprogs/testprog.hpp"

namespace {

// recurse uses stack until it hits the guard page; the volatile buffer
// keeps each frame real, and the volatile limit (far beyond any stack)
// keeps the compiler from seeing an endless recursion.
volatile int recurseLimit = 1 << 30;
int recurse(int depth) {
  volatile char frame[512];
  frame[0] = char(depth);
  if (depth >= recurseLimit) return frame[0];
  return recurse(depth + 1) + frame[0];
}

int stackOverflow() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { recurse(0); }, {64 * 1024});
  std::printf("not reached\n");
  return 0;
}

int uncaughtException() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::Chan<int> never;
  cbridge::go([] { throw std::runtime_error("boom"); });
  never.recv();
  return 0;
}

int shutdownBlocked() {
  cbridge::Chan<int> never;
  cbridge::WaitGroup started;
  for (int i = 0; i < 3; i++) {
    started.add(1);
    cbridge::go([never, &started]() mutable {
      started.done();
      never.recv();
    });
  }
  started.wait();
  cbridge::shutdown();
  std::printf("shutdown returned\n");
  bool ok = cbridge::go([] {});
  std::printf("go after shutdown: %s\n", ok ? "started" : "refused");
  for (int i = 0; i < 100; i++) ok |= cbridge::go([] {});  // said once, not per call
  return ok ? 1 : 0;
}

int exitWithBlockedTasks() {
  cbridge::Chan<int> never;
  cbridge::run([never] { cbridge::go([never]() mutable { never.recv(); }); });
  std::printf("exiting\n");
  return 0;  // quiet; CBRIDGE_DEBUG=shutdown reports the blocked task
}

int mutexUnlockUnlocked() {
  cbridge::Mutex mu;
  mu.unlock();
  return 0;
}

int waitGroupNegative() {
  cbridge::WaitGroup wg;
  wg.done();
  return 0;
}

int badMaxprocs() {
  // CBRIDGE_MAXPROCS is set to a bad value by the test: the runtime says
  // so and uses the CPU count.
  cbridge::run([] {});
  std::printf("procs>0: %s\n", cbridge::stats().procs > 0 ? "yes" : "no");
  return 0;
}

int startTwice() {
  bool first = cbridge::start({2, 0});
  bool second = cbridge::start({});
  std::printf("first=%d second=%d procs=%d\n", first, second, cbridge::stats().procs);
  return 0;
}

// pingPongFairness runs (with one P) two tasks that hand a value back and
// forth on a channel, each readying the other into runnext, while a third
// task waits in the run queue. The pair inherits its time slice; when the
// slice is over the third task must get its turn (Go preempts the pair).
// The pair gives up after 5 s, so a starving runtime fails, not hangs.
int pingPongFairness() {
  return cbridge::run([] {
    cbridge::Chan<int> ping, pong;
    std::atomic<bool> thirdRan{false};
    cbridge::WaitGroup wg;
    wg.add(2);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    cbridge::go([&] {
      for (long i = 0; !thirdRan.load(); i++) {
        // Started from here, the third task is in runnext until the send
        // below readies the partner there, which kicks it to the queue.
        if (i == 100) cbridge::go([&] { thirdRan = true; });
        if (i % 1024 == 0 && std::chrono::steady_clock::now() > deadline) break;
        ping.send(1);
        pong.recv();
      }
      ping.close();
      wg.done();
    });
    cbridge::go([&] {
      while (ping.recv()) pong.send(1);
      wg.done();
    });
    wg.wait();
    std::printf("procs=%d third task ran while the pair ping-ponged: %s\n", cbridge::stats().procs,
                thirdRan.load() ? "yes" : "no");
    return 0;
  });
}

testprog::Register r1("StackOverflow", stackOverflow);
testprog::Register r2("UncaughtException", uncaughtException);
testprog::Register r3("ShutdownBlocked", shutdownBlocked);
testprog::Register r4("ExitWithBlockedTasks", exitWithBlockedTasks);
testprog::Register r5("MutexUnlockUnlocked", mutexUnlockUnlocked);
testprog::Register r6("WaitGroupNegative", waitGroupNegative);
testprog::Register r7("BadMaxprocs", badMaxprocs);
testprog::Register r8("StartTwice", startTwice);
testprog::Register r9("PingPongFairness", pingPongFairness);

}  // namespace
