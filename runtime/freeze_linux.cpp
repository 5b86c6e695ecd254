// SPDX-License-Identifier: MIT
// The exit sentinel (freeze.cpp): a thread_local whose destructor freezes
// the world, which glibc runs first in exit(), before any atexit entry or
// static destructor. Armed on the main thread before main, by this
// library's constructor when it runs there (the initial thread's tid is
// the pid: the library is linked in, or loaded with the program), and on
// every runtime M's thread.
#include "runtime/attributes.hpp"
#include "runtime/freeze.hpp"
#include "runtime/os.hpp"

namespace cbridge::rt {

namespace {

struct ExitSentinel {
  bool armed = false;
  ~ExitSentinel() {
    if (armed) freezetheworld();
  }
};
thread_local ExitSentinel sentinel;

CBRIDGE_CONSTRUCTOR void armMainThread() {
  if (gettid() == getpid()) armExitSentinel();
}

}  // namespace

void armExitSentinel() { sentinel.armed = true; }
void disarmExitSentinel() { sentinel.armed = false; }

}  // namespace cbridge::rt
