// SPDX-License-Identifier: MIT
#include "runtime/preempt.hpp"
#include "runtime/sleep.hpp"

#include <cerrno>

#include "runtime/os.hpp"
#include "runtime/timers.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::rt {

namespace {
struct Sleeper {
  Waiter w;
  Timer t;
};

// The timer is armed in park's unlockf, after the task is Waiting, so that
// it cannot fire (and ready the task) before the task has parked.
bool armTimer(void* arg) {
  addtimer(&static_cast<Sleeper*>(arg)->t);
  return true;
}

void wakeSleeper(void* arg) { static_cast<Sleeper*>(arg)->w.wake(); }
}  // namespace

void sleepUntil(int64_t when) {
  rt::checkPreempt();
  Sleeper s;
  if (s.w.g == nullptr) {
    nanosleepuntil(when);
    return;
  }
  s.t.when = when;
  s.t.f = wakeSleeper;
  s.t.arg = &s;
  s.w.park(armTimer, &s, WaitReason::Sleep, when);
  // The timer fired; wait until the M that ran it is done with it.
  deltimer(&s.t);
}

}  // namespace cbridge::rt
