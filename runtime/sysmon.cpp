// SPDX-License-Identifier: MIT
// sysmon watches the scheduler from its own thread, without a P, so it
// keeps running when every M is busy or blocked (Go's sysmon). It retakes
// Ps from Ms stuck in foreign calls, makes sure overdue timers get an M,
// returns idle cached stacks to the OS, and prints CBRIDGE_DEBUG=schedtrace.
#include "runtime/sysmon.hpp"

#include "callbacks/extram.hpp"
#include "runtime/debugvars.hpp"
#include "runtime/fatal.hpp"
#include "runtime/freeze.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/note.hpp"
#include "runtime/os.hpp"
#include "runtime/preempt.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/schedtrace.hpp"
#include "runtime/sigpreempt.hpp"
#include "runtime/stack.hpp"
#include "runtime/timers.hpp"
#include "runtime/trace.hpp"

namespace cbridge::rt {

namespace {

// stopNote is woken once, by sysmonStop; the thread sleeps on it between
// rounds, so stopping never waits out a full delay.
Note stopNote;
OSThread thread;

// Cached task stacks unused for a whole period go back to the OS.
constexpr int64_t kScavengePeriodNs = 2000000000;

// How long one foreign call may hold its P before sysmon hands the P to
// another M (Go: 20 µs, one sysmon tick). Set once at start.
std::atomic<int64_t> retakeNs{20000};
std::atomic<int64_t> netpollPeriodNs{10000000};
std::atomic<uint64_t> retakes{0};
// sysmon's clock (coarsenanotime): written by sysmon each round, read
// anywhere. Relaxed: a reading orders nothing, it only dates a wait.
std::atomic<int64_t> coarseNow{0};

// retake takes the P of every M that has been in one foreign call longer
// than retakeNs and hands it off (Go's retake, the syscall half). It
// reports whether it took any.
bool retake(int64_t now) {
  bool took = false;
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    P* pp = sched->allp[i];
    if (pp->status.load(std::memory_order_acquire) != PStatus::Syscall) continue;
    uint32_t t = pp->syscalltick.load(std::memory_order_relaxed);
    if (pp->sysmonSyscalltick != t) {
      // A call we have not seen before: start its clock.
      pp->sysmonSyscalltick = t;
      pp->sysmonSyscallWhen = now;
      continue;
    }
    int64_t held = now - pp->sysmonSyscallWhen;
    if (held < retakeNs.load(std::memory_order_relaxed)) continue;
    // Go's restraint: a P with no work, while other Ms spin or Ps idle,
    // is left to its M unless the call is long (10 ms), so that a quick
    // return finds it again without a wakeup.
    if (runqempty(pp) &&
        sched->nmspinning.load(std::memory_order_relaxed) +
                sched->npidle.load(std::memory_order_relaxed) >
            0 &&
        held < 10000000)
      continue;
    PStatus expected = PStatus::Syscall;
    if (pp->status.compare_exchange_strong(expected, PStatus::Idle, std::memory_order_acq_rel)) {
      retakes.fetch_add(1, std::memory_order_relaxed);
      traceProcRetake(pp);
      handoffp(pp);
      took = true;
    }
  }
  return took;
}

// preemptLongSlices is the half of Go's retake that preempts: a P whose
// time slice has lasted forcePreemptNs (10 ms) gets preemptone, its task
// asked to stop (cooperatively at its next runtime call, asynchronously in
// a preemptible region). A pair of tasks that keep readying each other
// into runnext inherit one slice at every switch: the request stops the
// one that runs at its next channel operation, and the rest of the queue
// gets the P (which is why runnext needs no limit of its own). As in Go,
// preempting does not make sysmon busy: a task computing without a switch
// is asked every 10 ms (sysmon's slowest pace), and a 20 µs pace would
// wake sysmon thousands of times a second for nothing.
void preemptLongSlices(int64_t now) {
  int64_t limit = forcePreemptNs();
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    P* pp = sched->allp[i];
    uint32_t t = pp->slicetick.load(std::memory_order_relaxed);
    if (pp->status.load(std::memory_order_relaxed) != PStatus::Running ||
        pp->sysmonSlicetick != t) {
      // Idle, in a foreign call, or a new slice since we last looked:
      // (re)start its clock.
      pp->sysmonSlicetick = t;
      pp->sysmonSliceWhen = now;
      continue;
    }
    if (now - pp->sysmonSliceWhen < limit) continue;
    pp->sysmonSliceWhen = now;
    preemptone(pp);
  }
}

void* sysmon(void*) {
  traceThreadName("sysmon");
  // Go's pacing: 20 µs while there is work, doubling after 50 idle rounds
  // up to 10 ms, or up to forcePreemptNs when that is shorter: slices of
  // 1 ms are ended every 1-2 ms, not every 10.
  int64_t maxDelayUs = forcePreemptNs() / 1000 < 10000 ? forcePreemptNs() / 1000 : 10000;
  int64_t delayUs = 20;
  int idle = 0;
  const int64_t start = nanotime();
  int64_t lastScavenge = start;
  int64_t lastNetpoll = start;
  int64_t lastTrace = start;
  for (;;) {
    if (idle == 0)
      delayUs = 20;
    else if (idle > 50)
      delayUs = delayUs * 2 > maxDelayUs ? maxDelayUs : delayUs * 2;
    if (stopNote.tsleep(delayUs * 1000)) return nullptr;
    // The process is exiting: starting Ms for retaken Ps would only make
    // threads that freeze at once.
    if (frozen()) {
      idle++;
      continue;
    }
    // A shutdown deferred until the callbacks in flight returned: do its
    // second half now, and end (nobody joins us then).
    if (sched->stopPending.load(std::memory_order_relaxed) && callbacksInFlight(nullptr) == 0) {
      stopTheMs(1000000000);
      osthreaddetach();
      return nullptr;
    }
    int64_t now = nanotime();
    coarseNow.store(now, std::memory_order_relaxed);
    // CBRIDGE_DEBUG=schedtrace=MS (Go's schedtrace in sysmon).
    if (debug.schedtrace > 0 && now - lastTrace >= int64_t(debug.schedtrace) * 1000000) {
      lastTrace = now;
      schedtrace(now, start, debug.scheddetail != 0);
    }
    if (now - lastScavenge > kScavengePeriodNs) {
      gfscavenge();
      stackscavenge();
      cb::extramscavenge();
      lastScavenge = now;
    }
    bool busy = retake(now);
    preemptLongSlices(now);
    if (preemptWithoutHandshake()) signalForeignMs();
    // Tasks wait on the netpoller and no M is blocked in it (every M is
    // busy): poll now and then, as Go's sysmon does every 10 ms. What it
    // finds does not make sysmon busy (nor does it in Go): under network
    // load it finds something every time, and a 20 µs pace would then
    // cost a thread wakeup every 70 µs for nothing.
    if (netpollWaiters() > 0 && !sched->pollBlocked.load(std::memory_order_relaxed) &&
        now - lastNetpoll > netpollPeriodNs.load(std::memory_order_relaxed)) {
      lastNetpoll = now;
      WakeList ready;
      netpoll(0, &ready);
      ready.wakeAll();  // no P here: to the global queue, with an M started
    }
    int64_t next = nextwhen();
    if (next != 0 && next < now) {
      // A timer is overdue: nobody is waiting for it (every M was busy
      // or asleep). Wake the waiter or start an M.
      ensureTimerService();
      busy = true;
    }
    idle = busy ? 0 : idle + 1;
  }
}

}  // namespace

int64_t coarsenanotime() { return coarseNow.load(std::memory_order_relaxed); }

void sysmonStart() {
  coarseNow.store(nanotime(), std::memory_order_relaxed);
  int err = newosthread(&thread, sysmon, nullptr);
  if (err != 0) fatal("failed to create the sysmon thread (newosthread: error %d)", err);
}

void sysmonStop() {
  stopNote.wakeup();
  osthreadjoin(thread);
}

void setSysmonNetpollPeriod(int64_t ns) { netpollPeriodNs.store(ns, std::memory_order_relaxed); }

void setRetakeThreshold(int64_t ns) { retakeNs.store(ns, std::memory_order_relaxed); }

uint64_t retakeCount() { return retakes.load(std::memory_order_relaxed); }

}  // namespace cbridge::rt
