// SPDX-License-Identifier: MIT
// Rank names, and the checked build's record of each thread's held Locks
// (Go's lockrank_on.go). The order itself is in lockrank.hpp.
//
// The record is thread_local (initial-exec: a signal handler may take a
// Lock, and is then reported, without allocating a TLS block), a fixed
// array: no malloc, usable anywhere the runtime takes a Lock. It belongs to
// the thread, not to the task: a task's Lock released by g0 after a park
// is released on the same thread. Entries are in acquire order; a release
// may remove any of them (select releases in reverse, a park's unlockf may
// release a lock taken before others), which keeps the order, so the last
// entry is the highest rank held and each acquire is checked against it
// alone, as Go checks against the last entry of m.locksHeld.
#include "runtime/attributes.hpp"
#include "runtime/lock.hpp"

#include <cstdio>

#include "runtime/fatal.hpp"

namespace cbridge::rt {

const char* lockRankName(LockRank r) {
  switch (r) {
    case LockRank::Hchan: return "hchan";
    case LockRank::MutexQueue: return "mutexQueue";
    case LockRank::WaitGroup: return "waitGroup";
    case LockRank::PollDesc: return "pollDesc";
    case LockRank::TimerFuncPool: return "timerFuncPool";
    case LockRank::Start: return "start";
    case LockRank::Sched: return "sched";
    case LockRank::Timers: return "timers";
    case LockRank::StackChunk: return "stackChunk";
    case LockRank::PollCache: return "pollCache";
    case LockRank::NetpollInit: return "netpollInit";
    case LockRank::NetpollRing: return "netpollRing";
    case LockRank::CallCache: return "callCache";
    case LockRank::ClosureQuarantine: return "closureQuarantine";
    case LockRank::CallbackError: return "callbackError";
    case LockRank::PreemptModules: return "preemptModules";
  }
  return "unknown";
}

#if CBRIDGE_LOCKRANK

namespace {

// Enough for a select over 60 channels with a few scheduler locks on top;
// more is reported, not overrun (Go's limit is 10).
constexpr uint32_t kMaxHeld = 64;

struct Held {
  const Lock* lock;
  LockRank rank;
};

struct HeldLocks {
  uint32_t n;
  Held held[kMaxHeld];
};

// Only its own thread touches it (and that thread's signal handlers, which
// are reported before they change it).
CBRIDGE_TLS_INITIAL_EXEC thread_local constinit HeldLocks tlsHeld{};

// heldList formats the thread's held locks, most recent last, for a report.
const char* heldList(const HeldLocks& h, char* buf, size_t size) {
  if (h.n == 0) return "none";
  size_t off = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < h.n && off < size; i++) {
    int w = snprintf(buf + off, size - off, "%s%s %p", i == 0 ? "" : ", ",
                     lockRankName(h.held[i].rank), static_cast<const void*>(h.held[i].lock));
    if (w < 0) break;
    off += size_t(w);
  }
  return buf;
}

}  // namespace

void lockrankAcquire(const Lock* l, LockRank rank) {
  HeldLocks& h = tlsHeld;
  char buf[512];
  if (inSignalHandler())
    fatal("lock ordering problem: %s lock %p taken inside a runtime signal handler (held: %s)",
          lockRankName(rank), static_cast<const void*>(l), heldList(h, buf, sizeof buf));
  if (h.n > 0) {
    for (uint32_t i = 0; i < h.n; i++)
      if (h.held[i].lock == l)
        fatal("lock ordering problem: %s lock %p taken again by the thread that holds it",
              lockRankName(rank), static_cast<const void*>(l));
    const Held& top = h.held[h.n - 1];
    if (!lockRankAllowed(top.rank, rank))
      fatal("lock ordering problem: %s lock %p wanted while holding %s lock %p (held: %s)",
            lockRankName(rank), static_cast<const void*>(l), lockRankName(top.rank),
            static_cast<const void*>(top.lock), heldList(h, buf, sizeof buf));
  }
  if (h.n == kMaxHeld)
    fatal("lock ordering problem: %s lock %p wanted with %u locks held, more than rank checking "
          "records (held: %s)",
          lockRankName(rank), static_cast<const void*>(l), h.n, heldList(h, buf, sizeof buf));
  h.held[h.n++] = Held{l, rank};
  lockheld_detail::locksHeld()++;
}

void lockrankRelease(const Lock* l, LockRank rank) {
  HeldLocks& h = tlsHeld;
  for (uint32_t i = h.n; i-- > 0;) {
    if (h.held[i].lock != l) continue;
    for (uint32_t j = i; j + 1 < h.n; j++) h.held[j] = h.held[j + 1];
    h.n--;
    return;
  }
  char buf[512];
  fatal("lock ordering problem: %s lock %p released by a thread that does not hold it (held: %s)",
        lockRankName(rank), static_cast<const void*>(l), heldList(h, buf, sizeof buf));
}

void lockrankUncount() { lockheld_detail::locksHeld()--; }

#endif  // CBRIDGE_LOCKRANK

}  // namespace cbridge::rt
