// SPDX-License-Identifier: MIT
// freezetheworld and the exit sentinel.
//
// How exit stops tasks, and why there. exit() runs, in this order: the
// exiting thread's thread_local destructors (glibc's __run_exit_handlers
// calls __call_tls_dtors first), then the atexit and __cxa_atexit entries,
// newest first. A static's destructor is such an entry, registered when
// the static is constructed. The runtime's own atexit entry is registered
// when the runtime starts, so a static made later (a function-local static
// a task uses) would be destroyed before it, while tasks still run on it.
// A thread_local sentinel runs ahead of every one of those entries: it is
// armed on the main thread before main (this library's constructor) and on
// every runtime M's thread, so returning from main, and exit() in main, in
// a task or in a foreign call, freeze the world before any static is
// destroyed. (Go never runs goroutines after main returns: its exit is
// the exit_group system call, with no destructors at all.)
// Why only those threads: glibc runs the main thread's thread_local
// destructors only in exit() (pthread_exit of main skips them), and an M's
// thread ends only at shutdown, after disarming its sentinel. A foreign
// thread's also run when it merely ends, or is cancelled inside a
// callback, so it is not armed: exit() called on a foreign thread freezes
// the world at the runtime's atexit entry, after the statics made since
// the runtime started are gone (documented in the README).
// The sentinel is in freeze_linux.cpp. Windows has none
// (freeze_windows.cpp): the world is frozen at the runtime's atexit entry.
#include "runtime/freeze.hpp"

#include "runtime/fatal.hpp"
#include "runtime/fork.hpp"
#include "runtime/iobatch.hpp"
#include "runtime/os.hpp"
#include "runtime/preempt.hpp"
#include "runtime/proc.hpp"
#include "runtime/sigpreempt.hpp"

namespace cbridge::rt {

bool onExitingThread() { return sched->exitTid.load(std::memory_order_acquire) == gettid(); }

void freezeForDump() {
  if (gForkChild.load(std::memory_order_relaxed) || !schedinited()) return;
  int expected = 0;
  // seq_cst, as in freezetheworld: a second exiting thread loses.
  if (sched->exitTid.compare_exchange_strong(expected, gettid(), std::memory_order_seq_cst))
    sched->frozen.store(true, std::memory_order_seq_cst);
}

void freezetheworld() {
  // A fork() child has no runtime threads to freeze (and startLock may be
  // held by a thread that was not copied).
  if (gForkChild.load(std::memory_order_relaxed) || !everStarted()) return;
  // The first exiting thread wins; a second (two threads calling exit at
  // once) has nothing more to do. seq_cst, then frozen (acquire readers):
  // an M that sees frozen sees who is exiting.
  int expected = 0;
  if (!sched->exitTid.compare_exchange_strong(expected, gettid(), std::memory_order_seq_cst))
    return;
  sched->frozen.store(true, std::memory_order_seq_cst);
  // Idle Ms stay asleep; the timer waiter and spinning Ms find frozen at
  // the top of findRunnable. Tasks running on other Ps are asked to stop
  // and waited for: each stops at its next switch, within microseconds
  // unless it computes without one. Go's freezetheworld gives them 5 ms,
  // enough for a crash report; here statics are destroyed next, and an M
  // descheduled just after it took a task (a loaded machine, a sanitizer
  // build) can take longer than that to reach its next switch, so the
  // wait is up to 100 ms. Only a task that never switches costs all of it.
  M* self = getm();
  P* mine = self != nullptr ? self->p : nullptr;
  int32_t running = 0;
  for (int round = 0; round < 100; round++) {
    running = runningPs(mine);
    if (running == 0) break;
    // Each running P's task is asked to stop, as sysmon would (a task in
    // a preemptible region is stopped by the signal). Not under
    // sched.lock: a preemption waits for the signal's handler (bounded),
    // and the tasks it stops need the lock to yield.
    preemptall(mine);
    usleep(1000);
  }
  // What the stopped tasks did happens before what the exit does next
  // (destroying statics they used): an M gives its P back under
  // sched.lock (a P left in a foreign call was released by entersyscall's
  // store, which runningPs read with acquire), so taking the lock once
  // orders us after the last of them.
  { LockGuard g(sched->lock); }
  // From here no preemptor stops a thread (Windows: the exit that follows
  // must not race a SuspendThread of this one; preempt_windows.cpp).
  preemptStopForExit();
  if (running > 0 && debugEnabled("shutdown"))
    usererror("exit: %d task(s) on other threads did not yield; they run on while the process exits",
              running);
}

void freezeM(M* m) {
  if (m != nullptr && m->p != nullptr) {
    iobatchFlush(m->p);  // its tasks never run again, but no P idles with calls queued
    LockGuard g(sched->lock);
    pidleput(releasep(m));
  }
  // Nothing wakes a frozen M: the process is ending. (A sleep with no
  // end, from os.hpp: pause() is POSIX's.)
  for (;;) nanosleepuntil(INT64_MAX);
}

}  // namespace cbridge::rt
