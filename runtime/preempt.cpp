// SPDX-License-Identifier: MIT
// Preemption (Go's preempt.go and the preemptExtLock handshake of its
// cgocall.go / os_windows.go).
//
// A task that holds its P for forcePreemptNs (10 ms) is asked to stop by
// sysmon (preemptone): the request is a flag on the P, counted in
// detail::preemptRequests, and a signal to the P's M (preemptM). The task
// stops in one of two ways, both of which put it on the global run queue
// (gopreempt_m):
//  - cooperatively: every runtime entry and cbridge::checkpoint() load
//    preemptRequests, and only when it is non-zero look at their P's flag
//    (preemptPark). A slice that ends by itself (the task parks, finishes,
//    or goes into a foreign call and loses its P) answers the request too:
//    the next slice on the P clears it (startSlice).
//  - asynchronously: the signal's handler (sigpreempt_linux.cpp) finds the
//    task at an async safe point — running a task, inside a preemptible
//    region, holding no runtime lock, at a PC in code allowed to be
//    interrupted — and makes the interrupted thread call asyncPreempt,
//    which saves every register, yields, and on resume (on any M) restores
//    them and returns to the interrupted instruction.
//
// The handshake. Foreign code must never see the runtime's signal: no
// EINTR, no short sleep, no handler run on a C library's stack (the
// classic cgo complaint, golang/go#38033), and on Windows a thread
// suspended mid-preemption must not be the one that calls ExitProcess (the
// seed). M::preemptExtLock is held by whichever side is active:
//  - the M takes it (kExtFree→kExtForeign) before entering foreign code,
//    after entersyscall (as Go: entering may wait, and meanwhile sysmon
//    may take the P), and releases it when back; a callback arriving from
//    foreign code releases it for the callback's length and takes it
//    again to return. An extra M holds it between its thread's callbacks,
//    and an M whose thread is ending holds it for good: nobody signals a
//    thread that is not running managed code.
//  - a preemptor takes it (kExtFree→kExtPreempting|cycle<<2) before it
//    signals the M's thread and keeps it until the handler has run there:
//    the handler writes the cycle into M::preemptAck. A failed CAS refuses
//    the attempt (counted): the M is in foreign code, and preemption is
//    cooperative only until it returns.
// The preemptor waits for the acknowledgement at most kAckWaitNs. A thread
// that is descheduled, or that blocks the signal (a ThreadSanitizer build
// delays it to the next interceptor), may not run the handler in time; the
// preemptor then leaves the lock held ("orphaned", counted) and goes on.
// The word still names the cycle, so whoever later sees preemptAck equal
// to it may take it: the M entering foreign code (the handler ran on its
// own thread, so nothing is pending) or the next preemptor. Releasing the
// lock before the handler ran (what this code did before) let the M enter
// foreign code with the signal still pending: the race the seed closes.
// The cycle number in the word makes every CAS exact: a stale one from an
// earlier cycle cannot release a later cycle's lock.
//
// Why exit cannot deadlock. exit() may be called from a task, from foreign
// code, or from a callback on a C thread while sysmon preempts. The exit
// path (the exit sentinel or the runtime's atexit entry, freezetheworld)
// waits on nothing that a preempted thread, or the exiting thread itself,
// holds: it takes sched.lock only briefly (never across a preemption; a
// thread stopped mid-preemption holds no runtime lock, because the
// handler takes none and asyncPreempt yields through the ordinary
// scheduler, which releases what it takes), and each of its preemptM calls
// waits for an acknowledgement at most kAckWaitNs and never for
// preemptExtLock: a failed CAS is a refusal, not a wait. The only wait for
// the lock is an M entering foreign code, and the holder it waits for is a
// preemptor whose signal is already on its way to that very thread: the
// wait ends as soon as the thread runs, by the handler's acknowledgement.
// Threads frozen by the exit park outside foreign code, holding nothing.
// (models/preempt.pml checks this with spin.)
#include "runtime/preempt.hpp"

#include <cstdlib>

#include "cbridge/cbridge.h"  // cbridge_checkpoint, cbridge_preemptible: exported from there
#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/sigpreempt.hpp"
#include "runtime/trace.hpp"

namespace cbridge::detail {
std::atomic<uint32_t> preemptRequests{0};
}  // namespace cbridge::detail

namespace cbridge::rt {

namespace {

// Rare events (at most a few per 10 ms per P): plain global counters.
std::atomic<uint64_t> attempts{0};
std::atomic<uint64_t> refused{0};
std::atomic<uint64_t> asyncCount{0};
std::atomic<uint64_t> cooperativeCount{0};
std::atomic<uint64_t> ackTimeouts{0};

// Cycle numbers, unique per preemption attempt (two preemptors may work on
// one M: sysmon and an exiting thread). 62 bits never wrap.
std::atomic<uint64_t> cycles{0};

// How long a preemptor waits for the handler's acknowledgement.
constexpr int64_t kAckWaitNs = 1000000;

std::atomic<int64_t> forcePreemptNsValue{10000000};

uint64_t cycleOf(uint64_t w) { return w >> 2; }

// acked says whether the handler has run on mp's thread for the cycle
// that holds word w. Equal, not at least: cycle numbers are drawn before
// the CAS that takes the lock, so two preemptors may hold it in the other
// order, and an ack of a later-drawn cycle says nothing of an earlier one
// (models/preempt.pml, OLD_GE: the earlier cycle's signal then reached
// foreign code). An ack overwritten by another cycle's costs a timeout.
bool acked(M* mp, uint64_t w) {
  return (w & kExtStateMask) == kExtPreempting &&
         mp->preemptAck.load(std::memory_order_acquire) == cycleOf(w);
}

// signalAndWait is preemptM's interrupt: the signal, then the wait for its
// handler. It returns false (keep the lock) if the handler has not run by
// the deadline.
bool signalAndWait(M* mp, uint64_t cycle, void*) {
  if (!signalPreempt(mp)) return true;  // no signal sent: nothing pending
  int64_t deadline = nanotime() + kAckWaitNs;
  for (;;) {
    if (mp->preemptAck.load(std::memory_order_acquire) == cycle) return true;
    if (nanotime() > deadline) break;
    osyield();
  }
  ackTimeouts.fetch_add(1, std::memory_order_relaxed);
  return false;
}

}  // namespace

void preemptExtEnterSlow(M* m) {
  for (int spins = 0;; spins++) {
    uint64_t w = m->preemptExtLock.load(std::memory_order_acquire);
    // Free, or held by a preemptor whose handler already ran on this very
    // thread (an orphaned cycle): nothing of ours is pending.
    if ((w == kExtFree || acked(m, w)) &&
        m->preemptExtLock.compare_exchange_strong(w, kExtForeign, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed))
      return;
    // A preemption of this M is in progress: its signal is on its way to
    // this thread, and is delivered while we wait (a system call is a
    // delivery point; a ThreadSanitizer build delivers at an interceptor,
    // which usleep is). Unless the thread blocks it (code in a task
    // changed the signal mask): then it would wait forever, and the
    // signal would be delivered in foreign code once unblocked. Take it
    // off the thread instead, which acknowledges the cycle.
    if (spins >= 1000 && (w & kExtStateMask) == kExtPreempting) takeBlockedPreemptSignal(m, w >> 2);
    if (spins < 50)
      osyield();
    else
      usleep(50);
  }
}

bool preemptWith(M* mp, bool (*interrupt)(M*, uint64_t, void*), void* arg) {
  uint64_t w = mp->preemptExtLock.load(std::memory_order_acquire);
  // A cycle orphaned earlier whose handler has run since: clear it (the
  // CAS names the cycle, so it fails harmlessly if anyone moved it on).
  if (acked(mp, w))
    mp->preemptExtLock.compare_exchange_strong(w, kExtFree, std::memory_order_acq_rel,
                                               std::memory_order_relaxed);
  uint64_t cycle = cycles.fetch_add(1, std::memory_order_relaxed) + 1;
  uint64_t mine = cycle << 2 | kExtPreempting;
  uint64_t expected = kExtFree;
  if (!mp->preemptExtLock.compare_exchange_strong(expected, mine, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed)) {
    // mp is in foreign code, or an earlier preemption's signal is still
    // on its way (another preemptor, or an orphaned cycle): fail the
    // attempt, as Go's preemptM does. Never signal it. Only the first is
    // a refusal; the second is a preemption already in flight.
    if ((expected & kExtStateMask) == kExtForeign) refused.fetch_add(1, std::memory_order_relaxed);
    mp->preemptGen.fetch_add(1, std::memory_order_release);
    return false;
  }
  if (interrupt(mp, cycle, arg)) {
    // Fails harmlessly if mp took the lock over after the handler ran.
    mp->preemptExtLock.compare_exchange_strong(mine, kExtFree, std::memory_order_acq_rel,
                                               std::memory_order_relaxed);
  }
  mp->preemptGen.fetch_add(1, std::memory_order_release);
  return true;
}

bool preemptM(M* mp) { return preemptWith(mp, signalAndWait, nullptr); }

void preemptone(P* pp) {
  attempts.fetch_add(1, std::memory_order_relaxed);
  if (!pp->preempt.exchange(true, std::memory_order_relaxed))
    detail::preemptRequests.fetch_add(1, std::memory_order_relaxed);
  M* mp = pp->m.load(std::memory_order_acquire);
  tracePreemptRequest(pp, mp);
  // An extra M runs its C thread's callback: its signal mask is the
  // host's, and a thread blocking the signal would keep the lock orphaned
  // until its next callback returns; it is preempted cooperatively only.
  if (mp == nullptr || mp->isextra) return;
  preemptM(mp);
}

void preemptall(P* except) {
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    P* pp = sched->allp[i];
    if (pp != except && pp->status.load(std::memory_order_acquire) == PStatus::Running)
      preemptone(pp);
  }
}

bool clearPreempt(P* pp) {
  if (!pp->preempt.exchange(false, std::memory_order_relaxed)) return false;
  detail::preemptRequests.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void preemptPark() {
  M* m = getm();
  if (m == nullptr) return;
  G* gp = m->curg;
  P* pp = m->p;
  if (gp == nullptr || pp == nullptr || gp->status.load(std::memory_order_relaxed) != GStatus::Running)
    return;
  if (!clearPreempt(pp)) return;
  cooperativeCount.fetch_add(1, std::memory_order_relaxed);
  tracePreempted(m, gp, false);
  gopreempt();
}

void signalForeignMs() {
  M* head;
  {
    LockGuard g(sched->lock);
    head = sched->allms.load(std::memory_order_acquire);
  }
  // alllink is written once, before the M is published under the lock.
  for (M* mp = head; mp != nullptr; mp = mp->alllink)
    if (!mp->isextra &&
        (mp->preemptExtLock.load(std::memory_order_relaxed) & kExtStateMask) == kExtForeign)
      interruptWithoutHandshake(mp);
}

void countAsyncPreempt() { asyncCount.fetch_add(1, std::memory_order_relaxed); }

void preemptinit(int64_t ns) {
  if (ns <= 0) {
    if (const char* s = getenv("CBRIDGE_FORCE_PREEMPT_NS"); s != nullptr && *s != '\0') {
      char* end = nullptr;
      long long v = strtoll(s, &end, 10);
      if (*end != '\0' || v < 100000 || v > 10000000000LL)
        usererror("CBRIDGE_FORCE_PREEMPT_NS=\"%s\" is not a number of nanoseconds in [100000, "
                  "10000000000]; using 10 ms",
                  s);
      else
        ns = v;
    }
  }
  if (ns > 0) forcePreemptNsValue.store(ns, std::memory_order_relaxed);
  initPreemptSignal();
}

int64_t forcePreemptNs() { return forcePreemptNsValue.load(std::memory_order_relaxed); }

PreemptStats preemptstats() {
  return {attempts.load(std::memory_order_relaxed), refused.load(std::memory_order_relaxed),
          asyncCount.load(std::memory_order_relaxed),
          cooperativeCount.load(std::memory_order_relaxed),
          ackTimeouts.load(std::memory_order_relaxed)};
}

}  // namespace cbridge::rt

namespace cbridge::detail {

void checkpointSlow() { rt::preemptPark(); }

void enterPreemptible() {
  if (rt::G* gp = rt::getg())
    gp->preemptDepth.store(gp->preemptDepth.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
}

void leavePreemptible() {
  if (rt::G* gp = rt::getg())
    gp->preemptDepth.store(gp->preemptDepth.load(std::memory_order_relaxed) - 1,
                           std::memory_order_relaxed);
}

}  // namespace cbridge::detail

extern "C" void cbridge_checkpoint(void) { cbridge::checkpoint(); }

extern "C" void cbridge_preemptible(void (*fn)(void*), void* arg) {
  cbridge::preemptible([&] { fn(arg); });
}
