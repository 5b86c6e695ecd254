// SPDX-License-Identifier: MIT
#include "runtime/waiter.hpp"

#include "runtime/proc.hpp"
#include "runtime/timerfunc.hpp"

namespace cbridge::rt {

namespace {
// A timer function blocking on its runner task: the runner pool hears of
// it on g0 before the park's own unlockf, while nothing can wake the task
// yet, so that the functions queued behind it get another runner. The
// task's stack (where unlockf and arg are) may be resumed and reused as
// soon as unlockf released the waker's lock: copy them first.
struct TimerFuncPark {
  bool (*unlockf)(void*);
  void* arg;
};
bool timerFuncUnlock(void* p) {
  TimerFuncPark tp = *static_cast<TimerFuncPark*>(p);
  timerfuncParking();
  return tp.unlockf(tp.arg);
}
// parkUnlock's unlockf. On the thread that took the lock: g0 (or the task
// switched to) for a task, the thread itself before it sleeps.
bool unlockLock(void* l) NO_THREAD_SAFETY_ANALYSIS {
  static_cast<Lock*>(l)->unlock();
  return true;
}
}  // namespace

// For a task the lock is released after the switch, by unlockLock: beyond
// what the analysis follows.
void Waiter::parkUnlock(Lock& l, WaitReason reason, int64_t detail) NO_THREAD_SAFETY_ANALYSIS {
  park(unlockLock, &l, reason, detail);
}

void Waiter::park(bool (*unlockf)(void*), void* arg, WaitReason reason, int64_t detail) {
  if (g != nullptr) {
    if (g->timerFunc) {
      TimerFuncPark tp{unlockf, arg};
      gopark(timerFuncUnlock, &tp, reason, detail);
      timerfuncResumed();
      return;
    }
    gopark(unlockf, arg, reason, detail);
    return;
  }
  if (!unlockf(arg)) return;
  note.sleep();
}

void Waiter::wake() {
  if (g != nullptr)
    goready(g);
  else
    note.wakeup();
}

}  // namespace cbridge::rt
