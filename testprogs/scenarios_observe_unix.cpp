// SPDX-License-Identifier: MIT
// The observability scenarios of SIGQUIT (issue 17; the portable ones are
// in scenarios_observe.cpp): the task dump the runtime prints on the
// signal, and a host that keeps the signal and calls cbridge_dump. Unix
// only: Windows has no SIGQUIT, and Go has no such dump there either (its
// console's Ctrl+Break is delivered as SIGINT); cbridge_dump and
// cbridge::dump give it on demand.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "testprogs/observe_foreign.h"
#include "testprogs/scenarios_observe.hpp"
#include "testprogs/testprog.hpp"

namespace testprog::observe {

namespace {

using namespace std::chrono_literals;

// Each task says it is about to block, then blocks in a function the dump
// must show (observeChanReceive is scenarios_observe.cpp's).
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
  // A C thread that called back once keeps its extra M.
  static cbridge::Callback<void()> hello([] { blocking++; });
  std::thread([] {
    hello.fn()();
    for (;;) pause();
  }).detach();
  // Every task announced itself; give the last ones time to park (the
  // dump says what each is doing at the moment of the signal, and this
  // test checks that each state is named).
  while (blocking.load() < 8) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(300ms);
  std::printf("dumping\n");
  std::fflush(stdout);
  kill(getpid(), SIGQUIT);
  for (;;) pause();
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
testprog::Register r1("QuitPrintsEveryTask", quitPrintsEveryTask);

}  // namespace

}  // namespace testprog::observe
