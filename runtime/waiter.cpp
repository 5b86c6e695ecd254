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
  counted = threadBlocking();
  if (!unlockf(arg)) {
    if (counted) threadWoken();
    return;
  }
  checkdeadBlocking();
  note.sleep();
}

void Waiter::wake() {
  if (g != nullptr) {
    goready(g);
    return;
  }
  if (counted) threadWoken();
  note.wakeup();
}

namespace {
std::atomic<int64_t> nthreadsBlocked{0};
}  // namespace

bool threadBlocking() {
  // A runtime M's own thread is counted among the Ms already.
  if (M* m = getm(); m != nullptr && !m->isextra) return false;
  nthreadsBlocked.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

void checkdeadBlocking() {
  // This thread's sleep may be what makes every task and thread wait with
  // nothing left to wake them: the Ms went idle before, so look now.
  // Only with every P idle (the usual case, work to do, costs one load),
  // and once the runtime runs: started()'s acquire orders schedinit's
  // write of gomaxprocs before our read (a thread may block on a channel
  // while another starts the runtime).
  if (!started()) return;
  int32_t procs = sched->gomaxprocs;
  if (sched->npidle.load(std::memory_order_seq_cst) == procs) {
    LockGuard l(sched->lock);
    checkdead();
  }
}

void threadWoken() { nthreadsBlocked.fetch_sub(1, std::memory_order_seq_cst); }

int64_t threadsBlocked() { return nthreadsBlocked.load(std::memory_order_seq_cst); }

}  // namespace cbridge::rt
