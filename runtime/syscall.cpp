// SPDX-License-Identifier: MIT
#include "runtime/syscall.hpp"

#include "runtime/fatal.hpp"
#include "runtime/freeze.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/sysmon.hpp"

namespace cbridge::rt {

namespace {

// exitsyscall0 runs on g0 when no P could be had: the task waits on the
// global queue and the M parks (Go's exitsyscall0). A task back from a
// foreign call is marked ready, so the next schedule on any P takes it:
// the Ps are busy (none was idle), and may not look at the global queue
// again for a long while. A C thread's callback is not: it waits for a
// P's 61st-schedule turn, and Ps that other threads' callbacks hold are
// not handed to it (entersyscallRelease). Marked ready, 8 threads calling
// callbacks in loops on 2 Ps handed the Ps round on every callback, two
// thread switches each: 100,000 callbacks each took 20 s, not 0.15 s.
G* exitsyscall0(G* gp) {
  M* m = getm();
  gp->status.store(GStatus::Runnable, std::memory_order_relaxed);
  sched->lock.lock();
  P* pp = pidleget();
  if (pp == nullptr) globrunqput(gp, /*ready=*/!m->isextra);
  sched->lock.unlock();
  if (pp != nullptr) {
    acquirep(m, pp);
    return gp;  // run it at once
  }
  return nullptr;  // findRunnable finds m without a P and parks it
}

// othersWait says whether Gs wait for pp, which an extra M is keeping for
// its thread's next callback: a G readied from outside the Ps (run() or a
// send from a thread, a foreign call's return), which may find every P
// held by threads calling back; or work on pp's own queue that no idle P
// or spinning M can take. Other Gs on the global queue (yielded, or other
// threads' callbacks) are left to the Ps that run tasks: handing the P
// off for each cost C threads two thread switches per callback. (While
// threads calling back in loops hold every P, those wait for the loops to
// pause, as before; Go's sysmon would retake such a P after 10 ms, which
// sysmon here does not do yet.)
//
// The counts are hints (relaxed): a G queued after our look is seen by
// the thread's next callback, or taken by a P that schedules. seq_cst
// reads of npidle and nmspinning, as wakep's: a P going idle or an M
// starting to spin after our look then sees pp's queue (its last look at
// the queues comes after it counted itself).
bool othersWait(P* pp) {
  if (sched->runqready.load(std::memory_order_relaxed) > 0) return true;
  return !runqempty(pp) && sched->npidle.load(std::memory_order_seq_cst) +
                                   sched->nmspinning.load(std::memory_order_seq_cst) ==
                               0;
}

}  // namespace

void entersyscall(M* m) {
  G* gp = m->curg;
  P* pp = m->p;
  gp->status.store(GStatus::Syscall, std::memory_order_relaxed);
  gp->waitsince.store(coarsenanotime(), std::memory_order_relaxed);
  // Only this M writes syscalltick; sysmon reads it to tell one long call
  // from many short ones.
  pp->syscalltick.store(pp->syscalltick.load(std::memory_order_relaxed) + 1,
                        std::memory_order_relaxed);
  pp->m.store(nullptr, std::memory_order_relaxed);
  m->oldp = pp;
  m->p = nullptr;
  // release: from here sysmon may take pp, and must see it as we left it.
  pp->status.store(PStatus::Syscall, std::memory_order_release);
}

void entersyscallRelease(M* m) {
  entersyscall(m);
  P* pp = m->oldp;
  if (!othersWait(pp)) return;
  // Exactly one of us and sysmon's retake moves the P out of Syscall.
  PStatus expected = PStatus::Syscall;
  if (!pp->status.compare_exchange_strong(expected, PStatus::Idle, std::memory_order_acq_rel))
    return;
  m->oldp = nullptr;
  handoffp(pp);
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
    oldp->m.store(m, std::memory_order_release);
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
