// SPDX-License-Identifier: MIT
// checkdead: the report of a deadlock (Go's checkdead, "all goroutines are
// asleep - deadlock!").
//
// Go's is fatal: in a Go program nothing outside the runtime can wake a
// goroutine. cbridge is embedded: a host thread may call go(), send on a
// channel or call a callback at any time, so tasks that are all asleep
// may yet be woken, and the report is only printed under
// CBRIDGE_DEBUG=deadlock, once, and is not fatal. It is made when an M
// goes idle and every P is idle, and only when nothing inside the runtime
// can wake a task: no runnable task, no timer, no waiter on the netpoller,
// no task in a foreign call (it may ready another when it returns), no
// callback in flight, and every unfinished task is parked. A plain thread
// blocked in a runtime wait (main in run()) does not count: it waits to be
// woken by a task, so it cannot wake one.
#include "runtime/fatal.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/timers.hpp"

namespace cbridge::rt {

namespace {
std::atomic<bool> reported{false};
}  // namespace

void checkdead() {
  static const bool enabled = debugEnabled("deadlock");
  if (!enabled || reported.load(std::memory_order_relaxed)) return;
  if (sched->npidle.load(std::memory_order_seq_cst) != sched->gomaxprocs ||
      sched->runqsize.load(std::memory_order_relaxed) != 0 || nextwhen() != 0 ||
      (netpollinited() && netpollWaiters() > 0) || sched->stopping.load(std::memory_order_relaxed))
    return;
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    if (!runqempty(sched->allp[i])) return;
  int64_t live = taskcounts().live;
  if (live <= 0) return;
  // Under sched.lock (the caller's): allms and allgs are stable, and a G
  // readied from a thread without a P goes through the global queue,
  // which takes it.
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
  usererrorOnce(&reported,
                "all %lld task(s) are asleep and nothing in the runtime can wake them "
                "(no timer, fd, foreign call or callback in flight) - deadlock! (not fatal: a "
                "thread outside the runtime may still wake them)",
                static_cast<long long>(live));
}

}  // namespace cbridge::rt
