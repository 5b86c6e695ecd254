// SPDX-License-Identifier: MIT
// checkdead: the report of a deadlock (Go's checkdead, "all goroutines are
// asleep - deadlock!").
//
// In a Go program nothing outside the runtime can wake a goroutine, so
// Go's rule is simple. cbridge is embedded: a thread the runtime does not
// know may call go(), send on a channel or call a callback at any time.
// So the report is fatal only when that cannot happen either, and the
// rule is conservative: no false report, ever; a deadlock that a thread
// outside might still undo is not reported (a note says it under
// CBRIDGE_DEBUG=deadlock). It is made when an M goes idle with every P
// idle, and when a thread goes to sleep in a runtime wait (that sleep may
// be the last one), and it needs all of:
// - inside the runtime, nothing to wake a task: no runnable task, no
//   timer, no waiter on the netpoller, no task in a foreign call (it may
//   ready another when it returns), no callback in flight, and every
//   unfinished task parked;
// - outside, nobody to wake one: no callback alive (C code holds its
//   pointer), and no thread in the process but the runtime's Ms, sysmon
//   and threads asleep in a runtime wait (main in run(), a thread
//   receiving from a channel), which cannot wake a task either. Threads
//   are counted, not named: any other thread, a sanitizer's or an
//   io_uring worker's included, may call in as far as we know.
#include "callbacks/cgocallback.hpp"
#include "runtime/fatal.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/os.hpp"
#include "runtime/print.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/timers.hpp"
#include "runtime/traceback.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::rt {

namespace {

std::atomic<bool> reported{false};

// threadsOutside is how many threads of the process the runtime cannot
// account for (or 1 when it cannot count them).
int64_t threadsOutside() REQUIRES(sched->lock) {
  int64_t n = threadcount();
  if (n < 0) return 1;
  int64_t known = 1 + threadsBlocked();  // sysmon, the sleepers
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink)
    if (!m->isextra) known++;
  return n - known;
}

}  // namespace

void checkdead() {
  if (reported.load(std::memory_order_relaxed)) return;
  if (sched->npidle.load(std::memory_order_seq_cst) != sched->gomaxprocs ||
      sched->runqsize.load(std::memory_order_relaxed) != 0 || nextwhen() != 0 ||
      (netpollinited() && netpollWaiters() > 0) || sched->stopping.load(std::memory_order_relaxed))
    return;
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    if (!runqempty(sched->allp[i])) return;
  int64_t live = taskcounts().live;
  if (live <= 0) return;
  // Under sched.lock (the caller's): a G readied from a thread without a
  // P goes through the global queue, which takes it.
  // An extra M's G is in syscall state between its thread's callbacks;
  // any other G in it is a task in a foreign call.
  int64_t extraGs = 0;
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink) {
    if (m->callbacksInFlight.load(std::memory_order_seq_cst) > 0) return;
    if (m->isextra) extraGs++;
  }
  int64_t parked = 0, insyscall = 0;
  for (G* gp = sched->allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
    GStatus s = gp->status.load(std::memory_order_acquire);
    if (s == GStatus::Running || s == GStatus::Runnable) return;
    if (s == GStatus::Waiting) parked++;
    if (s == GStatus::Syscall) insyscall++;
  }
  if (insyscall > extraGs) return;
  if (parked != live) return;  // a task between states: look again next time
  int64_t callbacks = cb::callbacksAlive();
  int64_t outside = threadsOutside();
  // A shutdown in progress ends sysmon and the Ms, which the count above
  // took for alive: after the count, the runtime must still be running
  // (shutdown closes this gate, seq_cst, before it stops any thread).
  if (!started() || sched->stopping.load(std::memory_order_seq_cst)) return;
  if (callbacks > 0 || outside > 0) {
    static const bool note = debugEnabled("deadlock");
    if (note)
      usererrorOnce(&reported,
                    "all %lld task(s) are asleep and nothing in the runtime can wake them "
                    "(no timer, fd, foreign call or callback in flight); not a deadlock yet: "
                    "%lld callback(s) alive and %lld thread(s) outside the runtime may still "
                    "wake them",
                    static_cast<long long>(live), static_cast<long long>(callbacks),
                    static_cast<long long>(outside));
    return;
  }
  if (reported.exchange(true, std::memory_order_relaxed)) return;
  {
    RawWriter w(2);
    w.str("fatal error: all tasks are asleep - deadlock!\n");
  }
  crash(tracebackLevel(), CrashShows::All);
}

}  // namespace cbridge::rt
