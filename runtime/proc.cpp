// SPDX-License-Identifier: MIT
// The scheduler: Ms running Gs on Ps (a port of the parts of Go's proc.go
// that cbridge needs; names mean what they mean there).
//
// Who owns what. A P is owned by the M in P::m while it is Running (that
// M alone touches its run queue's tail, its free lists and counters); a P
// in Syscall belongs to nobody until exitsyscall or sysmon's retake wins
// the CAS out of it; an Idle P is on sched.pidle, under sched.lock. A G is
// owned by the M running it (Running), by the queue it is on (Runnable),
// by whoever readies it (Waiting: goready's CAS lets exactly one waker
// win), or by its M in a foreign call (Syscall). An idle M is on
// sched.midle or is the timer waiter (see timerWait).
//
// Locks. sched.lock guards the idle lists, the global run queue and
// allgs/allms; it is held only for short, non-blocking sections and never
// across a context switch (gopark's unlockf runs on g0 or on the next
// task's stack, on the same thread that took the lock). No runtime lock is
// held while a task runs user code, and none across a foreign call.
//
// Preemption (preempt.cpp). A task switches only at runtime calls
// (park, yield, foreign calls) unless sysmon asks it to stop: its P's
// request is honoured at the next runtime entry or checkpoint, or by the
// signal inside a preemptible region, and either way the task goes to the
// global queue through gosched_m, the ordinary path. startSlice clears a
// request that a slice ending by itself answered.
//
// Exit (freeze.cpp). exit() from anywhere freezes the world: every M that
// looks for work, returns from C or starts a callback parks for good. The
// exiting thread waits for other Ps' tasks at most 100 ms, asking them to
// stop as sysmon would, and never for a lock another thread might hold
// across a preemption: no such lock exists (see preempt.cpp).
#include "runtime/proc.hpp"

#include <cstdlib>
#include <exception>
#include <new>

#include "cbridge/detail/task_fn.hpp"
#include "runtime/context.hpp"
#include "runtime/fatal.hpp"
#include "runtime/fork.hpp"
#include "runtime/freeze.hpp"
#include "runtime/iobatch.hpp"
#include "runtime/lockheld.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/os.hpp"
#include "runtime/preempt.hpp"
#include "runtime/runq.hpp"
#include "runtime/sigpipe.hpp"
#include "runtime/signals.hpp"
#include "runtime/sysmon.hpp"
#include "runtime/timers.hpp"
#include "runtime/trace.hpp"

namespace cbridge::rt {

namespace {
// Constant-initialized and trivially destructible: usable before main and
// by threads still running after exit starts.
constinit Sched schedInstance;

// startLock orders schedinit and shutdown; gStarted/gStopped under it.
Lock startLock{LockRank::Start};
bool gStarted = false;
bool gStopped = false;
// Read without startLock on every go(); release/acquire with schedinit.
// Cleared by shutdown with seq_cst: it is also the gate callbackEnter
// reads after publishing its callback.
std::atomic<bool> gRunning{false};
}  // namespace

Sched* sched = &schedInstance;

namespace {
// The thread stack of a runtime M (its g0), where foreign calls run.
constexpr size_t kG0StackSize = 8 << 20;
}  // namespace

namespace {

G* execute(M* m, G* gp, bool inheritTime);
void schedLoop(M* m);

// globalTurn says whether the next schedule on pp should look at the
// global queue first: every 61st schedule (Go's findrunnable), counting
// runnext hand-offs and direct switches, so that local work cannot starve
// it, and at once when a G readied from outside waits there (runqready).
bool globalTurn(P* pp) {
  return sched->runqsize.load(std::memory_order_relaxed) > 0 &&
         (pp->schedtick.load(std::memory_order_relaxed) % 61 == 0 ||
          sched->runqready.load(std::memory_order_relaxed) > 0);
}

// startSlice counts a schedule on pp and begins a new time slice unless
// the G about to run inherits the current one (see P::schedtick). A new
// slice answers sysmon's request to stop the old one, if still pending.
void startSlice(P* pp, bool inheritTime) {
  pp->schedtick.store(pp->schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (inheritTime) return;
  pp->slicetick.store(pp->slicetick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (pp->preempt.load(std::memory_order_relaxed)) clearPreempt(pp);
}

}  // namespace

void acquirep(M* m, P* pp) {
  m->p = pp;
  pp->m.store(m, std::memory_order_release);
  pp->status.store(PStatus::Running, std::memory_order_relaxed);
}

P* releasep(M* m) {
  P* pp = m->p;
  pp->m.store(nullptr, std::memory_order_relaxed);
  pp->status.store(PStatus::Idle, std::memory_order_relaxed);
  m->p = nullptr;
  return pp;
}

// pidleput, pidleget, mput, mget: the idle lists; callers hold sched->lock.
void pidleput(P* pp) {
  // Its batch's tasks would wait for a P that nobody runs (iobatch.hpp).
  if (pp->iobatchPending.load(std::memory_order_relaxed) != 0)
    fatal("pidleput: P %d idled with %d batched calls queued", int(pp->id),
          int(pp->iobatchPending.load(std::memory_order_relaxed)));
  pp->link = sched->pidle;
  sched->pidle = pp;
  sched->npidle.fetch_add(1, std::memory_order_seq_cst);
}

P* pidleget() {
  P* pp = sched->pidle;
  if (pp != nullptr) {
    sched->pidle = pp->link;
    sched->npidle.fetch_sub(1, std::memory_order_seq_cst);
  }
  return pp;
}

void mput(M* m) REQUIRES(sched->lock) {
  m->schedlink = sched->midle;
  sched->midle = m;
  sched->nmidle++;
}

M* mget() REQUIRES(sched->lock) {
  M* m = sched->midle;
  if (m != nullptr) {
    sched->midle = m->schedlink;
    sched->nmidle--;
  }
  return m;
}

void* mstart(void* arg) {
  auto* m = static_cast<M*>(arg);
  setm(m);
  m->locksHeldAt = locksHeldAddr();
  m->procid = gettid();
  // exit() in a task or a foreign call on this thread freezes the world
  // before any static is destroyed (see freeze.cpp).
  armExitSentinel();
  m->g0tsanFiber = tsanCurrentFiber();
  minitSignals(m);
  blockSigpipe();
  // g0 is this thread's stack; its bounds are exact for a runtime M.
  uintptr_t lo, hi;
  if (osthreadstack(&lo, &hi)) {
    m->g0lo = lo;
    m->g0hi = hi;
  }
  if (m->nextp != nullptr) {
    acquirep(m, m->nextp);
    m->nextp = nullptr;
  }
  schedLoop(m);
  // The thread ends: hold the handshake for good, as foreign code does, so
  // that no preemptor signals a thread id that may be reused.
  preemptExtEnter(m);
  disarmExitSentinel();  // this thread ends normally: not an exit
  unminitSignals(m);
  setm(nullptr);
  sched->mrunning.fetch_sub(1, std::memory_order_seq_cst);
  return nullptr;
}

// newm creates an M on a new thread that starts with pp (may be nullptr).
void newm(P* pp, bool spinning) {
  auto* m = new (std::nothrow) M;
  if (m == nullptr) fatal("out of memory allocating an M");
  m->nextp = pp;
  m->spinning = spinning;
  m->fastrand = uint32_t(reinterpret_cast<uintptr_t>(m) >> 4) | 1;
  {
    LockGuard g(sched->lock);
    m->id = sched->mnext++;
    m->alllink = sched->allms.load(std::memory_order_relaxed);
    sched->allms.store(m, std::memory_order_release);
  }
  sched->msCreated.fetch_add(1, std::memory_order_relaxed);
  sched->mrunning.fetch_add(1, std::memory_order_seq_cst);
  // g0 runs foreign code, which may want a deep stack: give it what a C
  // program's main thread usually has, below a guard a C frame of a few
  // KiB cannot jump (glibc's default is one page); the signal handler
  // reports a fault in it as this M's stack overflow.
  int err = newosproc(&m->thread, mstart, m, kG0StackSize, kG0GuardSize);
  if (err != 0) fatal("failed to create a new OS thread for an M (newosproc: error %d)", err);
}

// startm runs some M with pp (or an idle P if pp is nullptr). If spinning,
// the caller has already counted the new M in nmspinning.
void startm(P* pp, bool spinning) {
  sched->lock.lock();
  if (pp == nullptr) {
    pp = pidleget();
    if (pp == nullptr) {
      sched->lock.unlock();
      if (spinning) sched->nmspinning.fetch_sub(1, std::memory_order_seq_cst);
      return;
    }
  }
  M* nm = mget();
  sched->lock.unlock();
  if (nm == nullptr) {
    newm(pp, spinning);
    return;
  }
  nm->spinning = spinning;
  nm->nextp = pp;
  nm->park.wakeup();  // release: publishes nextp and spinning
}

// stopm parks the M until startm hands it a P or shutdown wakes it.
void stopm(M* m) {
  sched->lock.lock();
  // Checked under the lock that shutdown takes after setting stopping, so
  // an M either sees stopping here or is on midle when shutdown sweeps it.
  if (sched->stopping.load(std::memory_order_seq_cst)) {
    sched->lock.unlock();
    return;
  }
  mput(m);
  checkdead();
  sched->lock.unlock();
  m->park.sleep();
  m->park.clear();
  if (m->nextp != nullptr) {
    acquirep(m, m->nextp);
    m->nextp = nullptr;
  }
}

namespace {

}  // namespace

void startlockedm(M* m, G* gp) {
  M* mp = gp->lockedm;
  P* pp = releasep(m);
  mp->nextp = pp;
  mp->park.wakeup();  // release: publishes nextp
}

void stoplockedm(M* m) {
  if (m->p != nullptr) handoffp(releasep(m));
  m->park.sleep();
  m->park.clear();
  acquirep(m, m->nextp);
  m->nextp = nullptr;
}

// handoffp hands off pp, taken from an M in a foreign call, to whoever
// should have it (Go's handoffp): an M if there is work for it, a spinning
// M if nobody is looking for work, else the idle list.
void handoffp(P* pp) {
  if (!runqempty(pp) || sched->runqsize.load(std::memory_order_relaxed) > 0) {
    startm(pp, false);
    return;
  }
  if (sched->nmspinning.load(std::memory_order_seq_cst) +
              sched->npidle.load(std::memory_order_seq_cst) ==
          0 &&
      !sched->stopping.load(std::memory_order_relaxed)) {
    int32_t expected = 0;
    if (sched->nmspinning.compare_exchange_strong(expected, 1, std::memory_order_seq_cst)) {
      startm(pp, true);
      return;
    }
  }
  sched->lock.lock();
  if (sched->runqsize.load(std::memory_order_relaxed) > 0 &&
      !sched->stopping.load(std::memory_order_relaxed)) {
    sched->lock.unlock();
    startm(pp, false);
    return;
  }
  pidleput(pp);
  sched->lock.unlock();
  // Timers it would have run need a waiter now.
  if (nextwhen() != 0) ensureTimerService();
}

namespace {

void resetspinning(M* m) {
  m->spinning = false;
  int32_t n = sched->nmspinning.fetch_sub(1, std::memory_order_seq_cst) - 1;
  if (n < 0) fatal("findrunnable: negative nmspinning");
  // We found work and are no longer spinning: if we were the last spinner
  // another M must look, or work readied meanwhile could go unnoticed.
  wakep();
}

G* stealWork(M* m, P* pp) {
  int32_t n = sched->gomaxprocs;
  for (int i = 0; i < 4; i++) {
    bool stealRunNextG = i == 3;  // the last round also takes runnext
    uint32_t start = fastrand() % uint32_t(n);
    for (int32_t k = 0; k < n; k++) {
      P* p2 = sched->allp[(start + uint32_t(k)) % uint32_t(n)];
      if (p2 == pp) continue;
      if (G* gp = runqsteal(pp, p2, stealRunNextG)) return gp;
    }
  }
  (void)m;
  return nullptr;
}

// Who owns an idle M, and who may wake it (checked with spin in
// runtime/models/timerwait.pml, which also finds the bugs this replaced).
// An M without work, having given up its P, is in one of two places,
// never both:
//  - sched.midle, under sched.lock. The list owns it; only mget takes it
//    off, and the taker (startm) owns it and owes it exactly one wakeup of
//    its note, after handing it a P in nextp.
//  - sched.timerWaiter (below), for as long as it sleeps until the next
//    timer. Whoever takes it out of the word owns the wake-up: the M
//    itself (a CAS of its own word to null), or a waker (an exchange),
//    which then owes exactly one wake-up of the kind the word says. An M
//    whose CAS fails knows one is in flight: it takes a note wakeup by
//    sleeping once more before it clears the note (a break is drained by
//    the next poll), and it looks for work again, for the waker had a
//    reason. It goes to midle only after timerWait returned, with nothing
//    owed to its note.
// Wake-ups are not lost: a timer's adder stores nextWhen, then reads
// timerWaiter; a waiter publishes itself, then reads nextWhen (seq_cst,
// Dekker), so one sees the other. If the waiter it saw is gone by the
// exchange, the adder starts an M (ensureTimerService).
//
// sched.timerWaiter holds the waiting M with bit 0 set when it waits in
// netpoll rather than on its note, so that a waker takes the M and how to
// wake it in one exchange. (A flag on the M, read after the exchange,
// raced with the M leaving its wait and clearing it: the waker then woke a
// note the M never slept on, and that stale wakeup made the M's next one
// fatal, "notewakeup - double wakeup".) Ms are aligned, so bit 0 is free.
static_assert(alignof(M) >= 2, "timerWaiterWord needs bit 0 of an M's address");
M* timerWaiterWord(M* m, bool net) {
  return reinterpret_cast<M*>(reinterpret_cast<uintptr_t>(m) | uintptr_t(net));
}
bool timerWaiterPolls(M* word) { return (reinterpret_cast<uintptr_t>(word) & 1) != 0; }

// timerWait makes m the timer waiter if there is a timer or a task waiting
// on the netpoller, and no waiter yet; it sleeps until the timer is due, an
// fd is ready or it is woken, and reports whether it waited (and so should
// look for work again). With tasks on the netpoller it blocks in epoll_wait
// (Go's blocking netpoll in findrunnable), else on its note.
bool timerWait(M* m) {
  bool net = netpollinited() && netpollWaiters() > 0;
  if (nextwhen() == 0 && !net) return false;
  M* const self = timerWaiterWord(m, net);
  M* expected = nullptr;
  if (!sched->timerWaiter.compare_exchange_strong(expected, self, std::memory_order_seq_cst)) {
    // The waiter sleeps on its note, blind to the tasks parked on the
    // netpoller since: with nobody in epoll_wait they would wait for
    // sysmon's 10 ms poll. Take its place (it wakes, finds nothing and
    // stops).
    if (!net || timerWaiterPolls(expected)) return false;
    wakeTimerWaiter();
    expected = nullptr;
    if (!sched->timerWaiter.compare_exchange_strong(expected, self, std::memory_order_seq_cst))
      return false;
  }
  // Re-read after publishing ourselves: a timer added before the CAS is
  // in nextWhen; one added after it wakes us.
  int64_t next = nextwhen();
  if (sched->stopping.load(std::memory_order_seq_cst) || (next == 0 && !net)) {
    M* me = self;
    if (sched->timerWaiter.compare_exchange_strong(me, nullptr, std::memory_order_seq_cst))
      return false;
    // A waker took us off: take its wakeup (a break is drained by the next
    // poll), and look again, for it had a reason, a timer added after our
    // look at nextWhen. Going idle here lost that timer (the model found
    // it, see models/timerwait.pml).
    if (!net) m->park.sleep();
    m->park.clear();
    return true;
  }
  int64_t delay = next == 0 ? -1 : next - nanotime();
  if (net) {
    sched->pollBlocked.store(true, std::memory_order_seq_cst);
    WakeList ready;
    netpoll(next == 0 ? -1 : (delay > 0 ? delay : 0), &ready);
    sched->pollBlocked.store(false, std::memory_order_seq_cst);
    M* me = self;
    // If this fails a waker took us off and wrote a break: the next poll
    // drains it.
    sched->timerWaiter.compare_exchange_strong(me, nullptr, std::memory_order_seq_cst);
    if (ready.n > 0) {
      // Take a P first, so the readied tasks land on our queue and we run
      // them, rather than waking another M for each.
      sched->lock.lock();
      P* pp = pidleget();
      sched->lock.unlock();
      if (pp != nullptr) {
        acquirep(m, pp);
        // The first task runs here next, without waking another M.
        if (G* first = ready.takeTask()) runqput(pp, first, true);
        ready.queueOn(pp);
      } else {
        ready.wakeAll();  // to the global queue
      }
    }
    return true;
  }
  bool woken = m->park.tsleep(delay > 0 ? delay : 0);
  if (!woken) {
    M* me = self;
    if (!sched->timerWaiter.compare_exchange_strong(me, nullptr, std::memory_order_seq_cst))
      m->park.sleep();
  }
  m->park.clear();
  return true;
}

// findRunnable finds a G to run, blocking the M while there is none. It
// returns nullptr, with no P held, when the runtime is stopping.
// *inheritTime says whether the G came from runnext.
G* findRunnable(M* m, bool* inheritTime) {
  *inheritTime = false;
top:
  if (frozen()) freezeM(m);  // the process is exiting: run nothing more
  // The P's I/O batch first: its tasks have waited for the P's other
  // tasks already, and no P may be idled with calls queued (iobatch.hpp).
  if (m->p != nullptr) iobatchFlush(m->p);
  if (sched->stopping.load(std::memory_order_seq_cst)) {
    if (m->p != nullptr) {
      LockGuard g(sched->lock);
      pidleput(releasep(m));
    }
    return nullptr;
  }
  if (m->p == nullptr) {
    // Woken without a P (shutdown, or a timer waiter that found none).
    stopm(m);
    goto top;
  }
  P* pp = m->p;
  // The clock is read only when a timer exists: this runs on every switch.
  if (nextwhen() != 0) runtimers(nanotime());

  if (globalTurn(pp)) {
    LockGuard g(sched->lock);
    // A G readied from outside first: the hint is for it, not for the
    // G that happens to be at the head.
    G* gp = globrunqgetready();
    if (gp == nullptr) gp = globrunqget(pp, 1);
    if (gp != nullptr) return gp;
  }
  if (G* gp = runqget(pp, inheritTime)) return gp;
  if (sched->runqsize.load(std::memory_order_relaxed) > 0) {
    LockGuard g(sched->lock);
    if (G* gp = globrunqget(pp, 0)) return gp;
  }
  // Poll the network without blocking when tasks wait on it and no M is
  // blocked in it: the tasks it readies land on our queue.
  if (netpollWaiters() > 0 && !sched->pollBlocked.load(std::memory_order_relaxed)) {
    WakeList ready;
    if (netpoll(0, &ready) > 0) {
      G* first = ready.takeTask();
      ready.queueOn(pp);
      if (first != nullptr) return first;
      if (G* gp = runqget(pp)) return gp;
    }
  }

  // Steal, but limit the number of spinning Ms to half the busy Ps: more
  // would burn CPU for nothing.
  if (m->spinning || 2 * sched->nmspinning.load(std::memory_order_seq_cst) <
                         sched->gomaxprocs - sched->npidle.load(std::memory_order_seq_cst)) {
    if (!m->spinning) {
      m->spinning = true;
      sched->nmspinning.fetch_add(1, std::memory_order_seq_cst);
    }
    if (G* gp = stealWork(m, pp)) return gp;
  }

  // Nothing to do: give up the P.
  sched->lock.lock();
  if (sched->runqsize.load(std::memory_order_relaxed) > 0) {
    G* gp = globrunqget(pp, 0);
    sched->lock.unlock();
    return gp;
  }
  pidleput(releasep(m));
  sched->lock.unlock();

  // Delicate (Go's comment in findrunnable): we dropped nmspinning after
  // releasing the P, so a G readied between our last look and now saw a
  // spinner and did not wake anyone. Look at every queue once more.
  if (m->spinning) {
    m->spinning = false;
    if (sched->nmspinning.fetch_sub(1, std::memory_order_seq_cst) - 1 < 0)
      fatal("findrunnable: negative nmspinning");
    for (int32_t i = 0; i < sched->gomaxprocs; i++) {
      if (!runqempty(sched->allp[i])) {
        sched->lock.lock();
        P* p2 = pidleget();
        sched->lock.unlock();
        if (p2 != nullptr) {
          acquirep(m, p2);
          m->spinning = true;
          sched->nmspinning.fetch_add(1, std::memory_order_seq_cst);
          goto top;
        }
        break;
      }
    }
  }

  if (timerWait(m)) {
    if (m->p == nullptr) {
      sched->lock.lock();
      P* p2 = pidleget();
      sched->lock.unlock();
      if (p2 != nullptr) acquirep(m, p2);
    }
    // With no idle P the Ms holding them run the timers themselves.
    goto top;
  }
  stopm(m);
  goto top;
}

void schedLoop(M* m) {
  G* gp = nullptr;
  // A G that execute hands back (its park was declined) resumes in its
  // own slice.
  bool inheritTime = true;
  for (;;) {
    if (gp == nullptr) {
      gp = findRunnable(m, &inheritTime);
      if (gp == nullptr) return;
      if (m->spinning) resetspinning(m);
    }
    if (gp->lockedm != nullptr && gp->lockedm != m) {
      startlockedm(m, gp);
      gp = nullptr;  // findRunnable parks us: we gave our P away
      continue;
    }
    gp = execute(m, gp, inheritTime);
    inheritTime = true;
  }
}

}  // namespace

// arrived runs first in a task that was just switched to. From g0 it
// records g0's context; from another task (a direct switch) it saves that
// task's context and runs the action the task asked for, here on our
// stack, which is what g0 would have done (see switchDirect).
void arrived(transfer_t t, G* self) {
  M* m = getm();
  G* from = m->directFrom;
  if (from == nullptr) {
    m->g0ctx = t.fctx;
    asanFinishSwitch(self->asanFakeStack, &m->g0stackBottom, &m->g0stackSize);
    return;
  }
  asanFinishSwitch(self->asanFakeStack, nullptr, nullptr);
  m->directFrom = nullptr;
  from->ctx = t.fctx;
  from->m = nullptr;
  G* (*fn)(G*) = m->mcallfn;
  m->mcallfn = nullptr;
  // A G the action wants run at once (a park whose unlockf declined) runs
  // next, after us.
  if (G* again = fn(from)) runqput(m->p, again, true);
}

// directNext returns a G to switch to without a trip through g0, or
// nullptr when the scheduler must look (on g0) first: a new slice would
// start on the global queue's turn, a timer is due, or we are stopping.
static G* directNext(M* m, bool* inheritTime) {
  P* pp = m->p;
  if (pp == nullptr) return nullptr;  // in exitsyscall, without a P
  if (m->lockedg != nullptr) return nullptr;  // a locked M runs only its G
  // Asked to stop: take the full trip through the scheduler, which looks
  // at timers and the global queue (preemptPark cleared the request
  // before it switched; a task that parks meanwhile ends its slice here).
  if (pp->preempt.load(std::memory_order_relaxed)) return nullptr;
  if (sched->stopping.load(std::memory_order_relaxed) || frozen()) return nullptr;
  int64_t next = nextwhen();
  if (next != 0 && next <= nanotime()) return nullptr;
  // The global queue's turn comes by schedules, runnext hand-offs too: the
  // scheduler on g0 takes it.
  if (globalTurn(pp)) return nullptr;
  G* gp = runqget(pp, inheritTime);
  if (gp != nullptr && gp->lockedm != nullptr && gp->lockedm != m) {
    runqput(pp, gp, true);  // it must run on its own M: the scheduler hands it over
    return nullptr;
  }
  return gp;
}

// switchDirect switches from the running task gp straight to next, a G
// taken off our P's queue, and has fn(gp) run on next's stack once gp's
// context is saved: one context switch instead of two, with the same
// guarantee as mcall that nobody can resume gp before its context is
// stored.
static void switchDirect(M* m, G* gp, G* next, G* (*fn)(G*), bool exiting, bool inheritTime) {
  m->mcallfn = fn;
  m->directFrom = gp;
  next->m = m;
  m->curg = next;
  startSlice(m->p, inheritTime);
  next->status.store(GStatus::Running, std::memory_order_relaxed);
  traceGoStart(m, next);
  // An exiting task's ASan fake stack is freed by passing nullptr.
  asanStartSwitch(exiting ? nullptr : &gp->asanFakeStack, reinterpret_cast<void*>(next->stack->lo),
                  next->stack->size());
  tsanSwitchTo(&next->tsanFiber);
  transfer_t t = jump_fcontext(next->ctx, next);
  arrived(t, gp);
}

// mcall switches from the running task to g0, which runs fn(task) (or,
// when another task of our P can run, straight to it; see switchDirect).
// When the task is resumed it may be on another M.
void mcall(G* (*fn)(G*), bool exiting) {
  M* m = getm();
  G* gp = m->curg;
  traceGoStop(m, gp);
  bool inheritTime = false;
  if (G* next = directNext(m, &inheritTime)) {
    switchDirect(m, gp, next, fn, exiting, inheritTime);
    return;
  }
  m->mcallfn = fn;
  asanStartSwitch(exiting ? nullptr : &gp->asanFakeStack, m->g0stackBottom, m->g0stackSize);
  tsanSwitchTo(&m->g0tsanFiber);
  transfer_t t = jump_fcontext(m->g0ctx, gp);
  arrived(t, gp);  // we may be on another M now
}

namespace {

// execute runs gp on m until it switches back to g0, then runs the action
// it asked for; it returns a G to run next, or nullptr to schedule.
G* execute(M* m, G* gp, bool inheritTime) {
  gp->m = m;
  m->curg = gp;
  startSlice(m->p, inheritTime);
  gp->status.store(GStatus::Running, std::memory_order_relaxed);
  traceGoStart(m, gp);
  asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo), gp->stack->size());
  tsanSwitchTo(&gp->tsanFiber);
  transfer_t t = jump_fcontext(gp->ctx, gp);
  asanFinishSwitch(m->g0asanFakeStack, nullptr, nullptr);
  auto* from = static_cast<G*>(t.data);
  // Saved before the action runs: the action may make the G runnable and
  // another M may resume it at once.
  from->ctx = t.fctx;
  from->m = nullptr;
  m->curg = nullptr;
  G* (*fn)(G*) = m->mcallfn;
  m->mcallfn = nullptr;
  return fn(from);
}

// Dead Gs are kept for reuse with their stacks, on a per-P list (no lock)
// and the global span sets (sched.gfreeStack, gfreeNoStack) that take a
// P's overflow and refill an empty P, a batch per set operation, as Go's
// gfput/gfget do with a locked list. Tasks made on one P and finished on
// another flow back through them without freeing or mapping a stack.
constexpr int32_t kPGFreeMax = 64;
constexpr int32_t kGFreeBatch = 32;
// Task ids a P takes from sched.goidgen at once (Go's _GoidCacheBatch).
constexpr uint64_t kGoidCacheBatch = 16;

// gfreeStackTaken counts n Gs taken out of gfreeStack, lowering the
// low-water mark that gfscavenge reads.
void gfreeStackTaken(int64_t n) {
  int64_t left = sched->ngfreeStack.fetch_sub(n, std::memory_order_relaxed) - n;
  if (left < sched->gfreeStackLow.load(std::memory_order_relaxed))
    sched->gfreeStackLow.store(left, std::memory_order_relaxed);
}

void dropStacks(G* batch) {
  for (G* g1 = batch; g1 != nullptr; g1 = g1->schedlink) {
    stackfree(g1->stack);
    g1->stack = nullptr;
  }
}

// gfreePush puts a batch of n Gs in the set for them: gfreeStack if they
// have stacks, else gfreeNoStack. When gfreeStack is full their stacks
// go back and the batch goes to gfreeNoStack. It returns false if that
// set is full too: the batch, without stacks, is still the caller's.
bool gfreePush(G* batch, int64_t n, bool withStacks) {
  batch->gfreeBatchLen = uint32_t(n);
  if (withStacks) {
    // Counted before the push, so a pop's subtraction never sees less.
    sched->ngfreeStack.fetch_add(n, std::memory_order_relaxed);
    if (sched->gfreeStack.push(batch)) return true;
    gfreeStackTaken(n);
    dropStacks(batch);
  }
  return sched->gfreeNoStack.push(batch);
}

// gfreePop takes a batch from gfreeStack, or else from gfreeNoStack.
G* gfreePop() {
  if (sched->ngfreeStack.load(std::memory_order_relaxed) > 0) {
    if (G* batch = sched->gfreeStack.pop()) {
      gfreeStackTaken(batch->gfreeBatchLen);
      return batch;
    }
  }
  return sched->gfreeNoStack.pop();
}

void gfput(P* pp, G* gp) {
  gp->asanFakeStack = nullptr;
  if (gp->stack->size() != defaultStackSize()) {
    stackfree(gp->stack);
    gp->stack = nullptr;
  }
  gp->schedlink = pp->gFree;
  pp->gFree = gp;
  if (++pp->gFreeCount < kPGFreeMax) return;
  // Move a batch to the global sets, sorted by whether they have stacks.
  G* stacked = nullptr;
  G* bare = nullptr;
  int64_t nstacked = 0, nbare = 0;
  while (pp->gFreeCount > kPGFreeMax - kGFreeBatch) {
    G* g1 = pp->gFree;
    pp->gFree = g1->schedlink;
    pp->gFreeCount--;
    G*& list = g1->stack != nullptr ? stacked : bare;
    (g1->stack != nullptr ? nstacked : nbare)++;
    g1->schedlink = list;
    list = g1;
  }
  auto toGlobal = [pp](G* batch, int64_t n, bool withStacks) {
    if (batch == nullptr || gfreePush(batch, n, withStacks)) return;
    // Both sets full: the P keeps them.
    G* last = batch;
    while (last->schedlink != nullptr) last = last->schedlink;
    last->schedlink = pp->gFree;
    pp->gFree = batch;
    pp->gFreeCount += int32_t(n);
  };
  toGlobal(stacked, nstacked, true);
  toGlobal(bare, nbare, false);
}

// gfget returns a free G with a stack of size usable bytes (already
// rounded), or nullptr. pp is nullptr on a thread without a P.
G* gfget(P* pp, size_t size) {
  G* gp = nullptr;
  if (pp != nullptr && pp->gFree == nullptr) {
    // Refill: a batch becomes the P's list.
    if (G* batch = gfreePop()) {
      pp->gFree = batch;
      pp->gFreeCount = int32_t(batch->gfreeBatchLen);
    }
  }
  if (pp != nullptr && pp->gFree != nullptr) {
    gp = pp->gFree;
    pp->gFree = gp->schedlink;
    pp->gFreeCount--;
  } else if (pp == nullptr && (gp = gfreePop()) != nullptr) {
    // No P to keep the rest of the batch: it goes back.
    if (G* rest = gp->schedlink; rest != nullptr && !gfreePush(rest, gp->gfreeBatchLen - 1, gp->stack != nullptr))
      fatal("more than %u batches of free tasks: the free-task sets are full", sched->gfreeNoStack.capacity());
  }
  if (gp == nullptr) return nullptr;
  gp->schedlink = nullptr;
  if (gp->stack != nullptr && gp->stack->size() != size) {
    stackfree(gp->stack);
    gp->stack = nullptr;
  }
  if (gp->stack == nullptr) gp->stack = stackalloc(size);
  return gp;
}

// goexit0 runs on g0, or on the stack of the task switched to: never on
// the dead task's stack, which it may hand to another task.
G* goexit0(G* gp) {
  gp->status.store(GStatus::Dead, std::memory_order_relaxed);
  traceGoEnd(getm(), gp);
  P* pp = getm()->p;
  pp->tasksExited.store(pp->tasksExited.load(std::memory_order_relaxed) + 1,
                        std::memory_order_relaxed);
  gfput(pp, gp);
  return nullptr;
}

G* park_m(G* gp) {
  M* m = getm();
  // release: a goready that finds the G (under the lock unlockf drops)
  // sees Waiting and the saved context.
  gp->status.store(GStatus::Waiting, std::memory_order_release);
  traceGoPark(m, gp);
  bool (*unlockf)(void*) = m->waitunlockf;
  void* lock = m->waitlock;
  m->waitunlockf = nullptr;
  m->waitlock = nullptr;
  if (unlockf != nullptr && !unlockf(lock)) {
    traceGoUnpark(gp);
    gp->status.store(GStatus::Runnable, std::memory_order_relaxed);
    return gp;  // the wait condition already holds: resume at once
  }
  return nullptr;
}

// The yielding task goes to the global queue, as Go's Gosched does
// (goschedImpl): every P takes from it in turn, so yielding tasks share
// all the Ps. On its own P's queue a task stayed with whatever it shared
// that P with: 5 yielding tasks on 2 Ps got 3:2 (and worse) shares.
//
// One step more than Go: a P with nothing local to run moves just the
// global queue's head to its queue, where findRunnable finds it, instead
// of letting findRunnable take a batch (size/gomaxprocs + 1). Yielders
// taken in batches sat in one P's local queue while a lone one cycled
// through the global queue on the other P, and whenever the OS set one
// P's thread aside, the tasks queued on it waited: shares drifted to 2x
// over 200,000 yields. So yielding tasks stay in the one global FIFO,
// and each P takes one at a time.
G* gosched_m(G* gp) {
  gp->status.store(GStatus::Runnable, std::memory_order_relaxed);
  M* m = getm();
  // On g0 (curg cleared), not on the stack of a local G we switched to.
  bool idle = m->curg == nullptr && runqempty(m->p);
  LockGuard g(sched->lock);
  globrunqput(gp);
  if (idle)
    if (G* head = globrunqget(m->p, 1)) runqput(m->p, head, false);
  return nullptr;
}

void gentry(transfer_t t) {
  auto* gp = static_cast<G*>(t.data);
  arrived(t, gp);
  try {
    gp->fn->run();
  } catch (const std::exception& e) {
    fatal("uncaught exception in task %llu: %s", static_cast<unsigned long long>(gp->id),
          e.what());
  } catch (...) {
    fatal("uncaught exception of a non-std::exception type in task %llu",
          static_cast<unsigned long long>(gp->id));
  }
  delete gp->fn;
  gp->fn = nullptr;
  mcall(goexit0, /*exiting=*/true);
  fatal("a dead task was resumed");
}

// readyOnCurrentP puts a runnable gp on the caller's P, or on the global
// queue from a thread that holds none, and makes sure an M will run it.
void readyOnCurrentP(G* gp) {
  M* m = getm();
  if (m != nullptr && m->p != nullptr) {
    runqput(m->p, gp, true);
    wakep();
    return;
  }
  // No P (a foreign thread, or an M without one): the global queue, and
  // an M started for it directly, as Go's injectglist does. wakep would not
  // do: it defers to a spinning M, and a spinning M that already looked at
  // the global queue rechecks only the local ones before it sleeps.
  // Either that M's look under sched.lock comes after our put and finds
  // the G, or its pidleput came before and we see the idle P here.
  // The next schedule on any P takes it (runqready): a busy P may not
  // come back to the global queue for a long time otherwise.
  {
    LockGuard g(sched->lock);
    globrunqput(gp, /*ready=*/true);
  }
  if (sched->npidle.load(std::memory_order_seq_cst) != 0 &&
      !sched->stopping.load(std::memory_order_relaxed))
    startm(nullptr, false);
}

int32_t maxprocsFromEnv() {
  const char* s = getenv("CBRIDGE_MAXPROCS");
  if (s == nullptr || *s == '\0') return 0;
  char* end = nullptr;
  long v = strtol(s, &end, 10);
  if (*end != '\0' || v < 1 || v > 1024) {
    usererror("CBRIDGE_MAXPROCS=\"%s\" is not a number in [1, 1024]; using the CPU count", s);
    return 0;
  }
  return int32_t(v);
}

// atexitShutdown is the runtime's atexit entry. Exit is immediate and
// quiet, as Go's: the world is frozen (already, if the exit sentinel ran),
// nothing is waited for, and what was left unfinished is reported only
// under CBRIDGE_DEBUG=shutdown. The runtime is not marked shut down: a
// foreign thread's callback made now waits (frozen) until the process
// ends, without a line, rather than getting a zero result.
void atexitShutdown() {
  if (gForkChild.load(std::memory_order_relaxed)) return;  // the parent's runtime, not ours
  freezetheworld();
  if (!debugEnabled("shutdown")) return;
  int64_t live = taskcounts().live;
  if (live > 0)
    usererror("exit with %lld task(s) not finished (blocked or not yet run)",
              static_cast<long long>(live));
  if (int32_t n = callbacksInFlight(nullptr); n > 0)
    usererror("exit with %d callback(s) from foreign threads in flight", n);
}

}  // namespace

void gfscavenge() {
  // Gs that stayed below the low-water mark were not reused for a whole
  // period: their stacks go back (to the stack cache, whose own
  // scavenging returns them to the OS), a batch at a time.
  int64_t idle = sched->gfreeStackLow.load(std::memory_order_relaxed);
  while (idle > 0) {
    G* batch = sched->gfreeStack.pop();
    if (batch == nullptr) break;
    int64_t n = batch->gfreeBatchLen;
    gfreeStackTaken(n);
    idle -= n;
    dropStacks(batch);
    if (!gfreePush(batch, n, false))
      fatal("more than %u batches of free tasks: the free-task sets are full", sched->gfreeNoStack.capacity());
  }
  sched->gfreeStackLow.store(sched->ngfreeStack.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

uint32_t fastrand() {
  // xorshift32 per thread; quality is irrelevant, only spread matters.
  thread_local uint32_t s = uint32_t(gettid()) * 2654435761u | 1;
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

bool schedinit(const Config& cfg) {
  if (refuseInForkChild()) return false;
  LockGuard g(startLock);
  if (gStarted) return false;
  int32_t procs = cfg.maxprocs > 0 ? cfg.maxprocs : maxprocsFromEnv();
  if (procs <= 0) procs = getproccount();
  if (cfg.stackSize != 0) setDefaultStackSize(cfg.stackSize);
  if (cfg.retakeNs != 0) setRetakeThreshold(cfg.retakeNs);
  sched->gomaxprocs = procs;
  sched->allp = new P*[size_t(procs)];
  {
    LockGuard lg(sched->lock);
    for (int32_t i = procs - 1; i >= 0; i--) {
      sched->allp[i] = new P;
      sched->allp[i]->id = i;
      pidleput(sched->allp[i]);
    }
  }
  traceinit();  // before atexit(atexitShutdown): its writer runs after the freeze
  initsig();
  preemptinit(cfg.forcePreemptNs);
  installForkHandlers();
  sysmonStart();
  gStarted = true;
  gRunning.store(true, std::memory_order_release);
  atexit(atexitShutdown);
  return true;
}

bool ensureStarted() {
  // In a fork() child gRunning is the parent's, and startLock may be held
  // by a thread that was not copied.
  if (refuseInForkChild()) return false;
  if (gRunning.load(std::memory_order_acquire)) return true;
  {
    LockGuard g(startLock);
    if (gStopped) return false;
  }
  schedinit(Config{});
  return gRunning.load(std::memory_order_acquire);
}

bool started() { return gRunning.load(std::memory_order_acquire); }

bool everStarted() {
  LockGuard g(startLock);
  return gStarted;
}

bool callbackEnter(M* m) {
  // Dekker with shutdown: we publish the callback, then read the gate;
  // shutdown closes the gate, then sums the callbacks. With seq_cst on
  // both sides at least one sees the other: either we back out, or
  // shutdown counts us and the runtime runs until we return.
  m->callbacksInFlight.store(m->callbacksInFlight.load(std::memory_order_relaxed) + 1,
                             std::memory_order_seq_cst);
  if (gRunning.load(std::memory_order_seq_cst)) return true;
  callbackLeave(m);
  return false;
}

void callbackLeave(M* m) {
  // release: the callback's last uses of the runtime come before sysmon,
  // seeing the sum at 0, stops the Ms.
  m->callbacksInFlight.store(m->callbacksInFlight.load(std::memory_order_relaxed) - 1,
                             std::memory_order_release);
}

int32_t callbacksInFlight(M* skip) {
  int32_t n = 0;
  LockGuard g(sched->lock);
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink)
    if (m != skip) n += m->callbacksInFlight.load(std::memory_order_seq_cst);
  return n;
}

void shutdown(int64_t waitNs) {
  if (gForkChild.load(std::memory_order_relaxed)) return;  // nothing of it runs here
  {
    LockGuard g(startLock);
    if (!gStarted || gStopped) return;
    gStopped = true;
    gRunning.store(false, std::memory_order_seq_cst);  // the gate: see callbackEnter
  }
  if (frozen()) return;  // the process is exiting: nothing runs any more
  // Callbacks from foreign code in flight run to completion (Go has no
  // shutdown; stranding their C threads in the callback would hang a C
  // library's pthread_join): the scheduler runs on until the last one
  // returns, and then sysmon stops it. New callbacks get a zero result.
  M* self = getm();
  int32_t others = callbacksInFlight(self);
  bool mine = self != nullptr && self->callbacksInFlight.load(std::memory_order_relaxed) > 0;
  if (others > 0 || mine) {
    if (others > 0)
      usererror(
          "shutdown: %d callback(s) from foreign code are in flight; they run to completion and "
          "the runtime stops when the last one returns (new callbacks get a zero result)",
          others);
    sched->stopPending.store(true, std::memory_order_seq_cst);
    return;
  }
  sysmonStop();
  stopTheMs(waitNs);
}

int32_t runningPs(P* mine) {
  int32_t n = 0;
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    P* pp = sched->allp[i];
    if (pp != mine && pp->status.load(std::memory_order_acquire) == PStatus::Running) n++;
  }
  return n;
}

void stopTheMs(int64_t waitNs) {
  sched->stopping.store(true, std::memory_order_seq_cst);
  netpollShutdown();  // no poller runs from here on: wake threads parked on fds
  // Wait only for Ms whose task holds a P: an M in a foreign call has
  // given its P up (or will at once), and may stay there for as long as
  // the C code likes; a thread the runtime did not make is not ours to
  // wait for. The M calling from a task holds its own P.
  M* self = getm();
  P* mine = self != nullptr ? self->p : nullptr;
  int64_t deadline = nanotime() + waitNs;
  do {
    {
      LockGuard g(sched->lock);
      while (M* m = mget()) {
        m->nextp = nullptr;
        m->park.wakeup();
      }
    }
    wakeTimerWaiter();
    if (runningPs(mine) == 0) break;
    // Ask the tasks still running to stop, as sysmon would (it is
    // stopped): one in a preemptible region, or calling checkpoint(),
    // gives its P back now instead of being left running.
    preemptall(mine);
    usleep(200);
  } while (nanotime() < deadline);
  int64_t live = taskcounts().live;
  if (live > 0)
    usererror("shutdown with %lld task(s) not finished (blocked or not yet run); they are abandoned",
              static_cast<long long>(live));
  if (int32_t stuck = runningPs(mine); stuck > 0)
    usererror("shutdown: %d thread(s) still running a task that did not yield; they are left running",
              stuck);
}

TaskCounts taskcounts() {
  uint64_t started = sched->tasksStarted.load(std::memory_order_relaxed);
  uint64_t exited = sched->tasksExited.load(std::memory_order_relaxed);
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    started += sched->allp[i]->tasksStarted.load(std::memory_order_relaxed);
    exited += sched->allp[i]->tasksExited.load(std::memory_order_relaxed);
  }
  return {started, int64_t(started - exited)};
}

bool newproc(detail::TaskFn* fn, size_t stackSize, uintptr_t gopc) {
  checkPreempt();  // go() is a runtime entry
  if (refuseInForkChild()) {
    delete fn;
    return false;
  }
  if (frozen()) {
    // An exit handler or static destructor: no task runs any more.
    delete fn;
    if (debugEnabled("shutdown")) usererror("go() while the process exits: the task was not started");
    return false;
  }
  if (!ensureStarted()) {
    delete fn;
    // Said once per process: a loop of go()s (or after()s) after
    // shutdown must not print a line each.
    static std::atomic<bool> reported{false};
    usererrorOnce(&reported,
                  "go() after cbridge::shutdown(): the task was not started (said once: later "
                  "go() calls are refused the same way)");
    return false;
  }
  M* m = getm();
  size_t size = stackround(stackSize);
  G* gp = gfget(m != nullptr ? m->p : nullptr, size);
  if (gp == nullptr) {
    gp = new (std::nothrow) G;
    if (gp == nullptr) fatal("out of memory allocating a task");
    gp->stack = stackalloc(size);
    LockGuard g(sched->lock);
    gp->alllink = sched->allgs.load(std::memory_order_relaxed);
    sched->allgs.store(gp, std::memory_order_release);
  }
  asanFreshStack(reinterpret_cast<void*>(gp->stack->lo), gp->stack->size());
  gp->ctx = make_fcontext(reinterpret_cast<void*>(gp->stack->hi), gp->stack->size(), gentry);
  if (gp->stack->guardlo != 0) contextStackReservation(gp->ctx, gp->stack->guardlo);
  gp->fn = fn;
  gp->gopc.store(gopc, std::memory_order_relaxed);
  G* parent = m != nullptr ? m->curg : nullptr;
  gp->parentid.store(parent != nullptr ? parent->id : 0, std::memory_order_relaxed);
  gp->waitreason.store(WaitReason::None, std::memory_order_relaxed);
  P* pp = m != nullptr ? m->p : nullptr;
  if (pp != nullptr) {
    if (pp->goidcache == pp->goidcacheEnd) {
      pp->goidcache = sched->goidgen.fetch_add(kGoidCacheBatch, std::memory_order_relaxed) + 1;
      pp->goidcacheEnd = pp->goidcache + kGoidCacheBatch;
    }
    gp->id = pp->goidcache++;
    pp->tasksStarted.store(pp->tasksStarted.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
  } else {
    gp->id = sched->goidgen.fetch_add(1, std::memory_order_relaxed) + 1;
    sched->tasksStarted.fetch_add(1, std::memory_order_relaxed);
  }
  traceGoCreate(gp);
  gp->status.store(GStatus::Runnable, std::memory_order_release);
  readyOnCurrentP(gp);
  return true;
}

void gopark(bool (*unlockf)(void*), void* lock, WaitReason reason, int64_t detail) {
  if (gForkChild.load(std::memory_order_relaxed))
    fatal("a task parked in a child of fork(): only exec is supported after fork (no thread of "
          "the runtime survives it to wake the task)");
  M* m = getm();
  G* gp = m->curg;
  gp->waitreason.store(reason, std::memory_order_relaxed);
  gp->waitDetail.store(detail, std::memory_order_relaxed);
  gp->waitsince.store(coarsenanotime(), std::memory_order_relaxed);
  m->waitunlockf = unlockf;
  m->waitlock = lock;
  mcall(park_m);
}

void goready(G* gp) {
  GStatus expected = GStatus::Waiting;
  // acq_rel: acquire pairs with park_m's release store; only one waker
  // may win, a second is a runtime bug.
  if (!gp->status.compare_exchange_strong(expected, GStatus::Runnable, std::memory_order_acq_rel))
    fatal("goready: task %llu is not waiting (status %u)", static_cast<unsigned long long>(gp->id),
          static_cast<unsigned>(expected));
  traceGoUnpark(gp);
  readyOnCurrentP(gp);
}

// A yield goes to the global queue, which is what a preemption does: it
// answers sysmon's request, if one is pending.
void gosched() {
  if (P* pp = getm()->p; pp != nullptr && pp->preempt.load(std::memory_order_relaxed)) clearPreempt(pp);
  mcall(gosched_m);
}

void gopreempt() { mcall(gosched_m); }

void wakep() {
  if (sched->stopping.load(std::memory_order_relaxed)) return;
  if (sched->npidle.load(std::memory_order_seq_cst) == 0) return;
  // Be conservative about spinning threads: only one at a time is started
  // here; it starts another when it finds work (resetspinning).
  int32_t expected = 0;
  if (!sched->nmspinning.compare_exchange_strong(expected, 1, std::memory_order_seq_cst)) return;
  startm(nullptr, true);
}

bool wakeTimerWaiter() {
  M* w = sched->timerWaiter.exchange(nullptr, std::memory_order_seq_cst);
  if (w == nullptr) return false;
  if (timerWaiterPolls(w))
    netpollBreak();
  else
    w->park.wakeup();
  return true;
}

void ensureTimerService() {
  // The waiter may leave between the look and the exchange, having read
  // nextWhen before our caller stored it: then nobody waits for the new
  // timer, and an M must be started as if there had been no waiter.
  // (Doing nothing then lost the timer; see models/timerwait.pml.)
  if (sched->timerWaiter.load(std::memory_order_seq_cst) != nullptr && wakeTimerWaiter()) return;
  wakep();
}

}  // namespace cbridge::rt
