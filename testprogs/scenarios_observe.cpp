// SPDX-License-Identifier: MIT
// Scenarios of what a user sees when something goes wrong (issue 17): the
// task dump on SIGQUIT, tracebacks of fatal errors, faults in managed and
// in foreign code. Each blocking or failing step is its own function,
// never inlined, so that the stacks printed must name it.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <optional>
#include <thread>

#include "testprogs/observe_foreign.h"
#include "testprogs/testprog.hpp"

namespace {

using namespace std::chrono_literals;

std::atomic<int> blocking{0};

// Each task says it is about to block, then blocks in a function the dump
// must show.
__attribute__((noinline)) void observeChanReceive(cbridge::Chan<int> c) {
  blocking++;
  c.recv();
}
__attribute__((noinline)) void observeSleep() {
  blocking++;
  cbridge::sleep_for(60s);
}
__attribute__((noinline)) void observeSelect(cbridge::Chan<int> a, cbridge::Chan<int> b) {
  blocking++;
  cbridge::select(cbridge::on_recv(a, [](std::optional<int>) {}), cbridge::on_recv(b, [](std::optional<int>) {}));
}
__attribute__((noinline)) void observeWaitFd(int fd) {
  blocking++;
  cbridge::net::wait_fd(fd, cbridge::net::WaitMode::Read, std::chrono::hours(1));
}
__attribute__((noinline)) void observeForeignCall(int fd) {
  blocking++;
  cbridge::call(observe_read_in_c, fd);
}
__attribute__((noinline)) void observeWaitGroup(cbridge::WaitGroup* wg) {
  blocking++;
  wg->wait();
}
__attribute__((noinline)) void observeMutex(cbridge::Mutex* mu) {
  blocking++;
  mu->lock();
}

// QuitPrintsEveryTask: tasks in each wait state, then SIGQUIT. The dump
// must name each state and each blocking function; the process exits 2.
int quitPrintsEveryTask() {
  static cbridge::Chan<int> never, a, b;
  static cbridge::WaitGroup wg;
  static cbridge::Mutex mu;
  int waitFds[2], cFds[2];
  if (pipe(waitFds) != 0 || pipe(cFds) != 0) return 1;
  wg.add(1);
  mu.lock();
  cbridge::go([] { observeChanReceive(never); });
  cbridge::go([] { observeSleep(); });
  cbridge::go([] { observeSelect(a, b); });
  cbridge::go([fd = waitFds[0]] { observeWaitFd(fd); });
  cbridge::go([fd = cFds[0]] { observeForeignCall(fd); });
  cbridge::go([] { observeWaitGroup(&wg); });
  cbridge::go([] { observeMutex(&mu); });
  // Every task announced itself; give the last ones time to park (the
  // dump says what each is doing at the moment of the signal, and this
  // test checks that each state is named).
  while (blocking.load() < 7) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(300ms);
  std::printf("dumping\n");
  std::fflush(stdout);
  kill(getpid(), SIGQUIT);
  for (;;) pause();
}

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
  for (;;) pause();
}

__attribute__((noinline)) void observeNullWrite() { *observe_null = 1; }

// SegfaultInTaskIsReported: managed code writes through a null pointer.
int segfaultInTask() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { observeNullWrite(); });
  return 0;
}

volatile int observeZero = 0;
volatile int observeSeven = 7;
__attribute__((noinline)) int observeDivide() { return observeSeven / observeZero; }

// DivideByZeroInTask: SIGFPE in managed code is reported the same way.
int divideByZeroInTask() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { std::printf("%d\n", observeDivide()); });
  return 0;
}

// SegfaultInForeignCodeIsNotOurs: the same fault inside a foreign call
// takes the default action (death by SIGSEGV), untouched.
int segfaultInForeignCode() {
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { cbridge::call(observe_fault_in_c); });
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

// HostQuitHandlerCallsDump: the host took SIGQUIT before the runtime
// started, so the signal stays the host's; its handler calls cbridge_dump
// (async-signal-safe) and exits as it likes.
void hostQuit(int) {
  static const char said[] = "host handler\n";
  if (write(2, said, sizeof said - 1) < 0) _exit(4);
  cbridge_dump(2);
  _exit(3);
}

int hostQuitHandlerCallsDump() {
  signal(SIGQUIT, hostQuit);
  static cbridge::Chan<int> never;
  cbridge::go([] { observeChanReceive(never); });
  while (blocking.load() < 1) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(100ms);
  kill(getpid(), SIGQUIT);
  for (;;) pause();
}

testprog::Register r8("HostQuitHandlerCallsDump", hostQuitHandlerCallsDump);
testprog::Register r5("DeadlockIsReported", deadlockIsReported);
testprog::Register r6("NoDeadlockWhileCThreadCallsBack", [] { return noDeadlockWhileCThreadMayCall(true); });
testprog::Register r7("NoDeadlockWhileCThreadSends", [] { return noDeadlockWhileCThreadMayCall(false); });
testprog::Register r1("QuitPrintsEveryTask", quitPrintsEveryTask);
testprog::Register r2("FatalPrintsTraceback", fatalPrintsTraceback);
testprog::Register r3("SegfaultInTask", segfaultInTask);
testprog::Register r9("DivideByZeroInTask", divideByZeroInTask);
testprog::Register r4("SegfaultInForeignCode", segfaultInForeignCode);

}  // namespace
