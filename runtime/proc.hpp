// SPDX-License-Identifier: MIT
// The scheduler's internal API (Go's proc.go).
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/context.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

struct Config {
  int32_t maxprocs = 0;  // 0: CBRIDGE_MAXPROCS or the CPU count
  size_t stackSize = 0;  // 0: kDefaultStackSize
  int64_t retakeNs = 0;  // 0: sysmon's default (20 µs)
  int64_t forcePreemptNs = 0;  // 0: CBRIDGE_FORCE_PREEMPT_NS or 10 ms
};

// schedinit starts the runtime (Ps, sysmon, signal handlers) once. It
// returns false if the runtime is already running or was shut down.
bool schedinit(const Config& cfg);
// ensureStarted starts the runtime with its defaults on first use. It
// returns false after shutdown.
bool ensureStarted();
bool started();
// everStarted says whether schedinit ever ran (also after shutdown).
bool everStarted();
// shutdown closes the gate to new callbacks and tasks, then stops every M
// and sysmon, waiting at most waitNs for Ms whose task still holds a P
// (never for Ms in foreign calls, nor for threads the runtime did not
// make), and reports tasks that never finished. With callbacks from
// foreign code in flight it returns at once and sysmon stops the Ms when
// the last one has returned (stopPending).
void shutdown(int64_t waitNs);
// runningPs counts the Ps held by a running task (status Running), other
// than mine; acquire, so what a P's last task did before its M gave the P
// up in a foreign call is seen.
int32_t runningPs(P* mine);
// stopTheMs is the second half of shutdown (sysmon runs it after a
// deferred shutdown).
void stopTheMs(int64_t waitNs);
// callbackEnter counts a callback from foreign code in flight on m, unless
// shutdown has closed the gate: then it returns false and the callback
// must not run. callbackLeave ends it. callbacksInFlight sums them over
// every M but skip.
bool callbackEnter(M* m);
void callbackLeave(M* m);
int32_t callbacksInFlight(M* skip);

// newproc starts fn on a new G (Go's newproc); gopc is where it was
// created (the return address of the public call, 0 for the runtime's).
bool newproc(detail::TaskFn* fn, size_t stackSize, uintptr_t gopc);

// gopark parks the running task: on g0 it sets the task Waiting and calls
// unlockf(lock); if that returns false the task resumes at once. reason
// and detail say what it waits for (G::waitreason, G::waitDetail).
void gopark(bool (*unlockf)(void*), void* lock, WaitReason reason, int64_t detail = 0);
// goready makes a parked G runnable, next on the caller's P if it has one.
void goready(G* gp);
// gosched puts the running task on the global queue and schedules.
void gosched();
// gopreempt is gosched for a task stopped by preemption (Go's
// gopreempt_m); the caller has taken the P's request.
void gopreempt();

// wakep starts a spinning M if a P is idle and no M is spinning.
void wakep();
// wakeTimerWaiter wakes the M sleeping until the next timer, if any, so
// that it re-reads the earliest timer; it reports whether there was one.
bool wakeTimerWaiter();
// ensureTimerService makes sure an M will run an expired or newly earliest
// timer: it wakes the timer waiter, or else starts an M (sysmon's check).
void ensureTimerService();

struct TaskCounts {
  uint64_t started;
  int64_t live;  // started and not finished; a snapshot, not exact while tasks run
};
TaskCounts taskcounts();

uint32_t fastrand();

// The pieces of the scheduler that the syscall path and sysmon use. The
// idle-list functions need sched->lock held.
void acquirep(M* m, P* pp);
P* releasep(M* m);
void pidleput(P* pp) REQUIRES(sched->lock);
P* pidleget() REQUIRES(sched->lock);
void startm(P* pp, bool spinning);
void handoffp(P* pp);
// startlockedm hands m's P to gp's locked M and wakes it (gp was taken
// off a run queue by m); stoplockedm hands off m's P, if it has one, and
// sleeps until startlockedm gives it a P to run its locked G with.
void startlockedm(M* m, G* gp);
void stoplockedm(M* m);
// arrived runs first in a task just switched to (see proc.cpp).
void arrived(transfer_t t, G* self);
// mcall switches from the running task to g0 (or straight to another
// runnable task of the P), which runs fn(task); see proc.cpp.
void mcall(G* (*fn)(G*), bool exiting = false);

// checkdead ends the process with "fatal error: all tasks are asleep -
// deadlock!" when every task is asleep and nothing, inside the runtime or
// outside it, can wake one (the conservative rule is in checkdead.cpp).
// The caller holds sched->lock.
void checkdead() REQUIRES(sched->lock);

// gfscavenge frees the stacks of free Gs not reused since the last call;
// sysmon calls it before stackscavenge.
void gfscavenge();

}  // namespace cbridge::rt
