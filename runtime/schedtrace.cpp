// SPDX-License-Identifier: MIT
// schedtrace, as Go prints it: the first line is a summary,
//
//   SCHED 1004ms: gomaxprocs=4 idleprocs=2 runningprocs=1 syscallprocs=1
//   threads=9 idlethreads=3 spinningthreads=0 extram=2 cachedm=1 tasks=12
//   callbacks/s=1000 foreigncalls=1 netpollwaiters=0 runqueue=0 [0 3 0 0]
//
// (one line): the Ps idle, running tasks and held by an M in foreign code;
// the Ms made, idle, spinning, and of the extra Ms those on the extra list
// (extram) and those bound to a C thread (cachedm); the live tasks; the
// callbacks per second since the previous line; the foreign calls in
// flight; the tasks parked on the netpoller; the global run queue and each
// P's. scheddetail adds a line per P, per M and per live task.
//
// The summary takes sched.lock to walk allms and allgs, as Go's does; the
// counters summed without it are relaxed snapshots, so a line is a moment's
// picture, not a consistent cut. The detail lines read fields that other
// threads write without a lock (an M's curg, a G's m): racy reads, as in Go,
// made safe by the fact that no M, P or G is ever freed, so a stale pointer
// still points at one. Nothing allocates: each line is formatted into a
// buffer on sysmon's stack and written with write1, under sched.lock for
// the detail lines (Go prints under it too).
#include "runtime/schedtrace.hpp"

#include <cstdarg>
#include <cstdio>

#include "callbacks/extram.hpp"
#include "runtime/attributes.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"

namespace cbridge::rt {

namespace {

// Line formats one line into a stack buffer and writes it whole.
class Line {
 public:
  CBRIDGE_PRINTF(2, 3) void add(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf_ + n_, sizeof buf_ - n_, fmt, ap);
    va_end(ap);
    if (w > 0) n_ += size_t(w) < sizeof buf_ - n_ ? size_t(w) : sizeof buf_ - n_ - 1;
  }
  // end writes the line with a newline (over the last byte if it is full).
  void end() {
    if (n_ == sizeof buf_ - 1) n_--;
    buf_[n_++] = '\n';
    for (size_t off = 0; off < n_;) {
      ptrdiff_t w = write1(2, buf_ + off, n_ - off);
      if (w <= 0) break;
      off += size_t(w);
    }
    n_ = 0;
  }

 private:
  char buf_[512];
  size_t n_ = 0;
};

const char* pstatusName(PStatus s) {
  switch (s) {
    case PStatus::Idle: return "idle";
    case PStatus::Running: return "running";
    case PStatus::Syscall: return "syscall";
  }
  return "?";
}

const char* gstatusName(GStatus s) {
  switch (s) {
    case GStatus::Idle: return "idle";
    case GStatus::Runnable: return "runnable";
    case GStatus::Running: return "running";
    case GStatus::Waiting: return "waiting";
    case GStatus::Syscall: return "syscall";
    case GStatus::Dead: return "dead";
  }
  return "?";
}

// runqlen is a P's local queue length. Relaxed: a statistic, which needs
// no element the queue publishes. Read racing the owner and thieves, the
// difference may be briefly out of range: then it is shown as 0.
uint32_t runqlen(const P* pp) {
  uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
  uint32_t h = pp->runqhead.load(std::memory_order_relaxed);
  return t - h <= kRunqSize ? t - h : 0;
}

// detail prints Go's scheddetail lines. The racy reads of other threads'
// plain fields are deliberate (see the top of the file); ThreadSanitizer
// is told not to instrument them. The atomics are loaded relaxed, as
// statistics, but for P::m.
CBRIDGE_NO_SANITIZE_THREAD void detail(Line& l) REQUIRES(sched->lock) {
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    P* pp = sched->allp[i];
    // Acquire, as P::m says: the M is seen as made (its id).
    M* m = pp->m.load(std::memory_order_acquire);
    l.add(
        "  P%d: status=%s schedtick=%u syscalltick=%u m=%lld runqsize=%u runnext=%llu "
        "gfreecnt=%d",
        pp->id, pstatusName(pp->status.load(std::memory_order_relaxed)),
        pp->schedtick.load(std::memory_order_relaxed),
        pp->syscalltick.load(std::memory_order_relaxed),
        m != nullptr ? static_cast<long long>(m->id) : -1LL, runqlen(pp),
        [pp]() -> unsigned long long {
          G* next = pp->runnext.load(std::memory_order_relaxed);
          return next != nullptr ? next->id : 0;
        }(),
        pp->gFreeCount);
    l.end();
  }
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink) {
    P* pp = m->p;
    G* curg = m->curg;
    G* lockedg = m->lockedg;
    l.add(
        "  M%lld: p=%d curg=%lld spinning=%s lockedg=%lld extra=%s ncgo=%d callbacks=%llu "
        "incallback=%d",
        static_cast<long long>(m->id), pp != nullptr ? pp->id : -1,
        curg != nullptr ? static_cast<long long>(curg->id) : -1LL, m->spinning ? "true" : "false",
        lockedg != nullptr ? static_cast<long long>(lockedg->id) : -1LL,
        m->isextra ? "true" : "false", m->ncgo,
        static_cast<unsigned long long>(m->callbacks.load(std::memory_order_relaxed)),
        m->callbacksInFlight.load(std::memory_order_relaxed));
    l.end();
  }
  for (G* gp = sched->allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink) {
    GStatus s = gp->status.load(std::memory_order_relaxed);
    // Free Gs (idle, dead) are not tasks: Go prints them, but a process
    // that ran a million tasks would print a million lines.
    if (s == GStatus::Idle || s == GStatus::Dead) continue;
    M* m = gp->m;
    M* lockedm = gp->lockedm;
    l.add("  G%llu: status=%s m=%lld lockedm=%lld", static_cast<unsigned long long>(gp->id),
          gstatusName(s),
          m != nullptr && s == GStatus::Running ? static_cast<long long>(m->id) : -1LL,
          lockedm != nullptr ? static_cast<long long>(lockedm->id) : -1LL);
    l.end();
  }
}

// sysmon's previous line, for the callback rate. Sysmon only.
uint64_t lastCallbacks = 0;
int64_t lastNs = 0;

// Counts summed without sched.lock (they take no lock), and the Ps'
// states, read relaxed: a statistic, a moment's picture.
struct Unlocked {
  TaskCounts tasks;
  cb::ExtraMStats extra;
  int64_t netpollWaiters;
  int32_t idle = 0, running = 0, insyscall = 0;  // Ps
};

void summary(Line& l, int64_t now, int64_t start, const Unlocked& u) REQUIRES(sched->lock) {
  // Relaxed loads: statistics. isextra and extrag are set before an M
  // is put on allms, under the lock we hold.
  int64_t threads = 0;
  uint64_t callbacks = 0;
  // An extra M's G waits in syscall state between its thread's callbacks:
  // only a G in syscall state on an extra M inside a callback, or a task,
  // is a foreign call in flight. Each G is read once, where it is counted:
  // an extra G counted off in the walk of Ms and back in the walk of Gs
  // came out one short whenever a callback started between the two reads
  // (a task's real foreign call then went uncounted).
  int64_t foreign = 0;
  for (M* m = sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink) {
    threads++;
    callbacks += m->callbacks.load(std::memory_order_relaxed);
    if (m->isextra && m->callbacksInFlight.load(std::memory_order_relaxed) > 0 &&
        m->extrag->status.load(std::memory_order_relaxed) == GStatus::Syscall)
      foreign++;
  }
  for (G* gp = sched->allgs.load(std::memory_order_acquire); gp != nullptr; gp = gp->alllink)
    foreign += !gp->isextra && gp->status.load(std::memory_order_relaxed) == GStatus::Syscall;
  int64_t since = lastNs != 0 ? lastNs : start;
  uint64_t rate =
      now > since ? (callbacks - lastCallbacks) * 1000000000 / uint64_t(now - since) : 0;
  lastCallbacks = callbacks;
  lastNs = now;
  l.add(
      "SCHED %lldms: gomaxprocs=%d idleprocs=%d runningprocs=%d syscallprocs=%d threads=%lld "
      "idlethreads=%d spinningthreads=%d extram=%llu cachedm=%llu tasks=%lld callbacks/s=%llu "
      "foreigncalls=%lld netpollwaiters=%lld runqueue=%d [",
      static_cast<long long>((now - start) / 1000000), sched->gomaxprocs, u.idle, u.running,
      u.insyscall, static_cast<long long>(threads), sched->nmidle,
      sched->nmspinning.load(std::memory_order_relaxed),
      static_cast<unsigned long long>(u.extra.idle), static_cast<unsigned long long>(u.extra.inUse),
      static_cast<long long>(u.tasks.live), static_cast<unsigned long long>(rate),
      static_cast<long long>(foreign), static_cast<long long>(u.netpollWaiters),
      sched->runqsize.load(std::memory_order_relaxed));
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    l.add(i == 0 ? "%u" : " %u", runqlen(sched->allp[i]));
  l.add("]");
  l.end();
}

}  // namespace

void schedtrace(int64_t now, int64_t start, bool detailed) {
  Unlocked u{taskcounts(), cb::extramstats(), netpollWaiters()};
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    PStatus s = sched->allp[i]->status.load(std::memory_order_relaxed);
    u.idle += s == PStatus::Idle;
    u.running += s == PStatus::Running;
    u.insyscall += s == PStatus::Syscall;
  }
  Line l;
  LockGuard g(sched->lock);
  summary(l, now, start, u);
  if (detailed) detail(l);
}

}  // namespace cbridge::rt
