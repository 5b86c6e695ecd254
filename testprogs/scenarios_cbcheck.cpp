// SPDX-License-Identifier: MIT
// Scenarios of CBRIDGE_DEBUG=cbcheck (callbacks/cbcheck.cpp): each commits
// one misuse its check catches. Run unchecked, each but the stale call
// (undefined) and the runtime lock (runtime-internal) completes and says
// how it ended. The one on a ucontext coroutine is Linux's:
// scenarios_cbcheck_linux.cpp.
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <cbridge/mutex.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/lock.hpp"
#include "testprogs/testprog.hpp"

namespace {

// A thread's callback blocks until main has freed its callback.
int cbcheckFreedInFlight() {
  std::atomic<bool> inside{false}, freed{false};
  auto* cb = new cbridge::Callback<void()>([&] {
    inside = true;
    while (!freed) usleep(1000);
  });
  void (*fn)() = cb->fn();
  std::thread t(fn);
  while (!inside) usleep(1000);
  delete cb;
  freed = true;
  t.join();
  std::printf("freed with a call in flight; the call returned\n");
  return 0;
}

// More frees than the unchecked quarantine holds come between the free and
// the stale call, and then as many new callbacks, which libffi may give
// the freed closure's address unless the quarantine still holds it.
int cbcheckCalledAfterFree() {
  auto* cb = new cbridge::Callback<void()>([] {});
  void (*fn)() = cb->fn();
  fn();
  delete cb;
  for (int i = 0; i < 1100; i++) delete new cbridge::Callback<void()>([] {});
  std::vector<std::unique_ptr<cbridge::Callback<void()>>> live;
  bool reused = false;
  for (int i = 0; i < 1100; i++) {
    live.push_back(std::make_unique<cbridge::Callback<void()>>([] {}));
    reused |= live.back()->fn() == fn;
  }
  std::printf("calling the freed callback\n");
  std::fflush(stdout);
  fn();
  std::printf("not reached: %s\n", reused ? "a new callback ran in its place" : "it returned");
  return 0;
}

cbridge::Mutex handlerMutex;

int cbcheckMutexHeld() {
  cbridge::Callback<void()> cb([] { handlerMutex.lock(); });
  std::thread t(cb.fn());
  t.join();
  std::printf("the handler returned holding the Mutex: %s\n",
              handlerMutex.try_lock() ? "no" : "yes");
  return 0;
}

cbridge::rt::Lock handlerLock{cbridge::rt::LockRank::CallbackError};

int cbcheckRuntimeLockHeld() {
  cbridge::Callback<void()> cb([] { handlerLock.lock(); });
  std::thread t(cb.fn());
  t.join();
  std::printf("not reached\n");
  return 0;
}

testprog::Register r1("CbcheckFreedInFlight", cbcheckFreedInFlight);
testprog::Register r2("CbcheckCalledAfterFree", cbcheckCalledAfterFree);
testprog::Register r3("CbcheckMutexHeld", cbcheckMutexHeld);
testprog::Register r4("CbcheckRuntimeLockHeld", cbcheckRuntimeLockHeld);

}  // namespace
