#include "runtime/syscall.hpp"

#include "runtime/fatal.hpp"
#include "runtime/freeze.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"

namespace cbridge::rt {

namespace {

// exitsyscall0 runs on g0 when no P could be had: the task waits on the
// global queue and the M parks (Go's exitsyscall0).
G* exitsyscall0(G* gp) {
  M* m = getm();
  gp->status.store(GStatus::Runnable, std::memory_order_relaxed);
  sched->lock.lock();
  P* pp = pidleget();
  if (pp == nullptr) globrunqput(gp);
  sched->lock.unlock();
  if (pp != nullptr) {
    acquirep(m, pp);
    return gp;  // run it at once
  }
  return nullptr;  // findRunnable finds m without a P and parks it
}

}  // namespace

void entersyscall(M* m) {
  G* gp = m->curg;
  P* pp = m->p;
  gp->status.store(GStatus::Syscall, std::memory_order_relaxed);
  // Only this M writes syscalltick; sysmon reads it to tell one long call
  // from many short ones.
  pp->syscalltick.store(pp->syscalltick.load(std::memory_order_relaxed) + 1,
                        std::memory_order_relaxed);
  pp->m = nullptr;
  m->oldp = pp;
  m->p = nullptr;
  // release: from here sysmon may take pp, and must see it as we left it.
  pp->status.store(PStatus::Syscall, std::memory_order_release);
}

void exitsyscall(M* m) {
  // The process is exiting: a task coming back from C, or a foreign
  // thread's callback, waits here until the process ends, so no managed
  // code runs under destroyed statics. Only the exiting thread goes on:
  // its exit handlers may call C and callbacks.
  if (frozen() && !onExitingThread()) freezeM(m);
  G* gp = m->curg;
  P* oldp = m->oldp;
  m->oldp = nullptr;
  // Fast path: sysmon did not retake our P (the CAS decides between us).
  // A thread's first callback has no old P.
  PStatus expected = PStatus::Syscall;
  if (oldp != nullptr &&
      oldp->status.compare_exchange_strong(expected, PStatus::Running, std::memory_order_acq_rel)) {
    m->p = oldp;
    oldp->m = m;
    gp->status.store(GStatus::Running, std::memory_order_relaxed);
    return;
  }
  // Our P went to another M: try an idle one.
  if (sched->npidle.load(std::memory_order_relaxed) > 0) {
    sched->lock.lock();
    P* pp = pidleget();
    sched->lock.unlock();
    if (pp != nullptr) {
      acquirep(m, pp);
      gp->status.store(GStatus::Running, std::memory_order_relaxed);
      return;
    }
  }
  mcall(exitsyscall0);
  // Resumed by some M with a P.
}

}  // namespace cbridge::rt
