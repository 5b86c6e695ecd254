// SPDX-License-Identifier: MIT
// Scenarios of what a user sees when something goes wrong (issue 17):
// tracebacks of fatal errors, faults in managed and in foreign code, the
// deadlock report. Each blocking or failing step is its own function,
// never inlined, so that the stacks printed must name it. Portable: they
// run on Linux (testprog_shared) and Windows (testprog.exe). The task
// dump on SIGQUIT is in scenarios_observe_unix.cpp: Windows has no
// SIGQUIT, nor does Go dump there (its console's Ctrl+Break arrives as
// SIGINT).
#include "testprogs/scenarios_observe.hpp"

#include <cbridge/cbridge.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "testprogs/observe_foreign.h"
#include "testprogs/testprog.hpp"

namespace testprog::observe {

using namespace std::chrono_literals;

std::atomic<int> blocking{0};

// Each task says it is about to block, then blocks in a function the dump
// must show.
__attribute__((noinline)) void observeChanReceive(cbridge::Chan<int> c) {
  blocking++;
  c.recv();
}

void waitForever() {
  for (;;) std::this_thread::sleep_for(1h);
}

namespace {

__attribute__((noinline)) void observeThrow() { throw std::runtime_error("boom"); }

// FatalPrintsTraceback: a fatal error (an exception leaving a task) with
// another task parked: the failing task's stack is printed, and the
// parked one only under CBRIDGE_TRACEBACK=all.
int fatalPrintsTraceback() {
  static cbridge::Chan<int> never;
  cbridge::go([] { observeChanReceive(never); });
  while (blocking.load() < 1) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(100ms);
  cbridge::go([] { observeThrow(); });
  waitForever();
}

// Not UBSan's to report (in the sanitizer builds): the fault is the test.
__attribute__((noinline, no_sanitize("undefined"))) void observeNullWrite() { *observe_null = 1; }

// SegfaultInTaskIsReported: managed code writes through a null pointer.
int segfaultInTask() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { observeNullWrite(); });
  return 0;
}

volatile int observeZero = 0;
volatile int observeSeven = 7;
__attribute__((noinline, no_sanitize("undefined"))) int observeDivide() { return observeSeven / observeZero; }

// DivideByZeroInTask: SIGFPE (on Windows the integer divide by zero
// exception) in managed code is reported the same way.
int divideByZeroInTask() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { std::printf("%d\n", observeDivide()); });
  return 0;
}

// SegfaultInForeignCodeIsNotOurs: the same fault inside a foreign call
// takes the default action (death by SIGSEGV; on Windows the OS's end of
// a process with an unhandled exception), untouched.
int segfaultInForeignCode() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { cbridge::call(observe_fault_in_c); });
  return 0;
}

// ThrowOutOfForeignCall: foreign code in C++ throws, and the task that
// called it would catch the exception: it is a fatal error instead, at
// the foreign call, for the call cannot be left that way (cgocall.cpp).
__attribute__((noinline)) int throwsInForeignCode(int n) {
  if (n > 0) throw std::runtime_error("thrown in foreign code");
  return n;
}

int throwOutOfForeignCall() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] {
    try {
      std::printf("%d\n", cbridge::call(throwsInForeignCode, 1));
    } catch (const std::exception& e) {
      std::printf("caught in the task: %s\n", e.what());
    }
  });
  return 0;
}

// DeadlockIsReported: main waits in run() for a task that waits on a
// channel nobody else holds; no other thread, no callback: nothing can
// ever wake them.
int deadlockIsReported() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] {
    cbridge::Chan<int> never;
    cbridge::go([never]() mutable { observeChanReceive(never); });
    never.recv();
  });
  return 0;
}

// NoDeadlockWhileCThreadsMayCall: the same, but a C thread outside the
// runtime sends the value after a while (through a callback, or straight
// through the C API with no callback alive), so every task is asleep for
// a moment and yet nothing is dead.
int noDeadlockWhileCThreadMayCall(bool viaCallback) {
  static cbridge::Chan<int> ch;
  static cbridge::Callback<void()>* cb = nullptr;
  if (viaCallback) cb = new cbridge::Callback<void()>([] { ch.send(1); });
  std::thread t([viaCallback] {
    std::this_thread::sleep_for(300ms);
    if (viaCallback)
      cb->fn()();
    else
      ch.send(1);
  });
  cbridge::run([] { std::printf("received %d\n", *ch.recv()); });
  t.join();
  delete cb;
  return 0;
}

testprog::Register r5("DeadlockIsReported", deadlockIsReported);
testprog::Register r6("NoDeadlockWhileCThreadCallsBack", [] { return noDeadlockWhileCThreadMayCall(true); });
testprog::Register r7("NoDeadlockWhileCThreadSends", [] { return noDeadlockWhileCThreadMayCall(false); });
testprog::Register r2("FatalPrintsTraceback", fatalPrintsTraceback);
testprog::Register r3("SegfaultInTask", segfaultInTask);
testprog::Register r9("DivideByZeroInTask", divideByZeroInTask);
testprog::Register r4("SegfaultInForeignCode", segfaultInForeignCode);
testprog::Register r10("ThrowOutOfForeignCall", throwOutOfForeignCall);

}  // namespace

}  // namespace testprog::observe
