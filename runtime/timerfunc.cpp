// SPDX-License-Identifier: MIT
// Timer functions on a pool of runner tasks.
//
// Go's AfterFunc starts a goroutine per firing (time.goFunc); a goroutine
// costs Go 2 KiB of stack, a task here a 256 KiB one, and a storm of
// 100,000 timers due at once made 100,000 tasks, each on a fresh stack,
// and ran their functions seconds late. Instead a fired Timer queues its
// function here and runner tasks run the queue, one function after the
// other, keeping Go's semantics: a function may block (park) without
// holding up the functions queued behind it.
//
// The protocol, everything under pool.lock:
//   - queue holds the functions not yet started, FIFO.
//   - active counts runners that will look at the queue again without
//     being woken: a runner running a function that has not parked, one
//     between functions (also while it yields), one just started or woken.
//     Idle runners (parked in idle, waiting for work) and runners parked
//     inside a function (blocked) are not active.
//   - Invariant: queue non-empty ⇒ active > 0. So queued work always has a
//     runner coming, whatever the others are blocked on. Kept by
//       submit: a push that finds active == 0 activates a runner (an idle
//         one if any, else a new task);
//       a runner that parks inside a function (Waiter::park calls
//         timerfuncParking, on g0, before the park's unlockf, so nothing
//         can have woken it yet) or enters a foreign call (cgocall calls
//         it first) stops being active, and if that leaves the queue
//         without an active runner, activates one;
//       a runner goes idle (or exits) only when it finds the queue empty.
//     A parked function's runner becomes active again when the park
//     (or the foreign call) returns (timerfuncResumed): then there may be more active runners
//     than work, and the extra ones go idle.
//   - Spreading: a long queue (more than kPerRunner functions per active
//     runner) activates one more runner, up to one per P, so a storm is
//     shared by the Ps (new runners are readied on this P; idle Ps steal).
//   - Fairness: between two functions a runner yields when other tasks
//     wait for its P, so a storm does not keep the P from them.
//   - Idle runners linger kLingerNs for more work (a storm fires in many
//     small batches; starting a task per batch would cost a task each),
//     then exit, so an idle program holds no runner. An idle runner is
//     woken by whoever takes it off the idle list under the lock, submit
//     (work) or its linger timer (exit): exactly one waker.
// A runner's stack is a task stack like go()'s, so a function may use as
// much stack as a task may. What the pool cannot see: a function
// computing without parking or calling out keeps its runner active; the
// functions queued behind it wait for another active runner (a long queue
// activates one per P), not for a new one (Go would have started a
// goroutine for each and preempted it).
#include "runtime/timerfunc.hpp"

#include <atomic>
#include <new>

#include "cbridge/detail/task_fn.hpp"
#include "runtime/lock.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/timers.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::rt {

namespace {

constexpr int64_t kLingerNs = 2000000;  // 2 ms
constexpr int64_t kPerRunner = 64;

struct Work {
  Work* next;
  void (*fn)(void*);
  void* arg;
};

// An idle runner, on its own stack while it is parked.
struct Idle {
  Waiter w;
  Timer linger;
  Idle* next = nullptr;
  bool exit = false;  // set by the waker: true from the linger timer
};

struct Pool {
  Lock lock{LockRank::TimerFuncPool};
  // Under lock (see the protocol above).
  Work* head GUARDED_BY(lock) = nullptr;
  Work* tail GUARDED_BY(lock) = nullptr;
  int64_t queued GUARDED_BY(lock) = 0;
  int64_t active GUARDED_BY(lock) = 0;
  Idle* idle GUARDED_BY(lock) = nullptr;
  // Counters for stats, read without the lock (relaxed: they order
  // nothing): started is written under lock, ran by each runner.
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> ran{0};
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: Ms may run timers at exit
  return *p;
}

void runnerLoop();

class RunnerFn final : public detail::TaskFn {
 public:
  void run() override { runnerLoop(); }
};

// Activation decided under the lock, carried out after it is released
// (waking or starting a task takes scheduler locks).
struct Activation {
  Idle* wake = nullptr;
  bool start = false;
};

// activate makes one more runner active: an idle one, or a new task.
// Caller holds pool.lock.
Activation activate(Pool& p) REQUIRES(p.lock) {
  Activation a;
  p.active++;
  if (p.idle != nullptr) {
    a.wake = p.idle;
    p.idle = a.wake->next;
  } else {
    a.start = true;
    p.started.store(p.started.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  return a;
}

// needsRunner: the queue has work and no active runner will see it, or so
// much that one more runner (up to one per P) should share it. Caller
// holds pool.lock.
bool needsRunner(Pool& p) REQUIRES(p.lock) {
  if (p.queued == 0) return false;
  if (p.active == 0) return true;
  return p.queued > kPerRunner * p.active && p.active < sched->gomaxprocs;
}

void carryOut(Activation a) {
  if (a.wake != nullptr) {
    a.wake->exit = false;
    a.wake->w.wake();
  }
  if (a.start && !newproc(new RunnerFn, 0, 0)) {
    // Shut down: no task starts any more, nor does any timer fire.
    Pool& p = pool();
    LockGuard g(p.lock);
    p.active--;
  }
}

// lingerFired runs on g0 when an idle runner has waited kLingerNs: if it
// is still idle, take it off the list and wake it to exit.
void lingerFired(void* arg) {
  auto* self = static_cast<Idle*>(arg);
  Pool& p = pool();
  bool mine = false;
  {
    LockGuard g(p.lock);
    for (Idle** pp = &p.idle; *pp != nullptr; pp = &(*pp)->next) {
      if (*pp == self) {
        *pp = self->next;
        mine = true;
        break;
      }
    }
  }
  if (mine) {
    self->exit = true;
    self->w.wake();
  }
}

// runnerLoop runs queued functions until the queue is empty and it has
// lingered idle for kLingerNs. It starts active (activate counted it).
void runnerLoop() {
  Pool& p = pool();
  G* gp = getg();
  p.lock.lock();
  for (;;) {
    if (Work* w = p.head) {
      p.head = w->next;
      if (p.head == nullptr) p.tail = nullptr;
      p.queued--;
      Activation a;
      if (needsRunner(p)) a = activate(p);
      p.lock.unlock();
      carryOut(a);
      void (*fn)(void*) = w->fn;
      void* arg = w->arg;
      delete w;
      // Counted before it runs: whoever the function wakes (a test
      // waiting for the last one) must find it counted. Relaxed: a
      // statistic; the wake-up itself orders it for that reader.
      p.ran.fetch_add(1, std::memory_order_relaxed);
      gp->timerFunc = true;
      fn(arg);
      gp->timerFunc = false;
      // Others wait for this P: let them run first (a storm must not keep
      // the P for itself). Hints, read without locks.
      P* pp = getm()->p;
      if (sched->runqsize.load(std::memory_order_relaxed) > 0 || (pp != nullptr && !runqempty(pp)))
        gosched();
      p.lock.lock();
      continue;
    }
    // Nothing queued: go idle, for a while.
    p.active--;
    Idle self;
    self.next = p.idle;
    p.idle = &self;
    // Armed under pool.lock: lingerFired takes it, so it cannot see the
    // runner before the runner is on the list.
    self.linger.when = whenAfter(kLingerNs);
    self.linger.f = lingerFired;
    self.linger.arg = &self;
    self.linger.internal = true;
    addtimer(&self.linger);
    self.w.parkUnlock(p.lock, WaitReason::TimerRunnerIdle);
    // Whoever woke us took us off the list (and, for work, counted us
    // active). The linger timer's f may still be running: wait for it
    // before our stack frame goes.
    deltimer(&self.linger);
    if (self.exit) return;
    p.lock.lock();
  }
}

}  // namespace

bool timerfuncSubmit(void (*fn)(void*), void* arg) {
  if (!ensureStarted()) return false;
  Pool& p = pool();
  auto* w = new Work{nullptr, fn, arg};
  Activation a;
  {
    LockGuard g(p.lock);
    if (p.tail != nullptr)
      p.tail->next = w;
    else
      p.head = w;
    p.tail = w;
    p.queued++;
    if (needsRunner(p)) a = activate(p);
  }
  carryOut(a);
  return true;
}

void timerfuncParking() {
  Pool& p = pool();
  Activation a;
  {
    LockGuard g(p.lock);
    p.active--;
    if (needsRunner(p)) a = activate(p);
  }
  carryOut(a);
}

void timerfuncResumed() {
  Pool& p = pool();
  LockGuard g(p.lock);
  p.active++;
}

TimerfuncStats timerfuncstats() {
  Pool& p = pool();
  return {p.started.load(std::memory_order_relaxed), p.ran.load(std::memory_order_relaxed)};
}

}  // namespace cbridge::rt
