// SPDX-License-Identifier: MIT
// The I/O batch on io_uring: one ring per P, made when the P first
// batches a call (iobatch.hpp has the protocol).
//
// Picked once per process: CBRIDGE_IOBATCH=off turns it off; otherwise
// a probe ring decides, at the first batch or the first stats(). A kernel
// without io_uring (or with it disabled: io_uring_disabled, a seccomp
// filter) or without IORING_SETUP_SUBMIT_ALL (5.18) refuses it, and every
// call is then made directly, as before, with no message: that is what the
// process would have done anyway. Asked for
// by name (CBRIDGE_IOBATCH=uring), a refusal is said once.
#include "runtime/iobatch.hpp"

#include <liburing.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/fatal.hpp"
#include "runtime/fork.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/proc.hpp"
#include "runtime/runq.hpp"
#include "runtime/trace.hpp"

namespace cbridge::rt {

// A P's ring and what it counts. Owner only (the M holding the P); the
// counters are atomic, relaxed, because stats() sums them from any thread.
struct IoBatch {
  io_uring ring;
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> submits{0};
};

namespace {

// One queued call: the task waiting for it and, once the batch ran, its
// result (-errno on failure). On the task's stack; written by the M that
// submits the batch before it readies the task (the run queue's
// release/acquire orders the two).
struct Op {
  G* g;
  int32_t res;
  bool send;
};

// Entries per ring: a P rarely has more tasks ready at once, and a full
// ring is submitted early (queue), not refused.
constexpr unsigned kRingEntries = 256;

enum class Mode : int { Unknown, On, Off };
// Decided once (decide), by the first M to need it or the first stats():
// Off when asked or when a ring fails. Relaxed: a racing thread that still
// sees Unknown only probes a ring of its own, and the verdict is the same.
std::atomic<Mode> mode{Mode::Unknown};
std::atomic<bool> refusalSaid{false};

bool askedOff() {
  const char* want = getenv("CBRIDGE_IOBATCH");
  if (want == nullptr || *want == 0 || strcmp(want, "uring") == 0 || strcmp(want, "io_uring") == 0)
    return false;
  if (strcmp(want, "off") != 0)
    fprintf(stderr, "cbridge: CBRIDGE_IOBATCH=%s is not a setting (uring, off): using uring\n", want);
  return strcmp(want, "off") == 0;
}

bool askedByName() {
  const char* want = getenv("CBRIDGE_IOBATCH");
  return want != nullptr && (strcmp(want, "uring") == 0 || strcmp(want, "io_uring") == 0);
}

// setupRing makes a ring as every P's is made: 0 or -errno.
int setupRing(io_uring* ring) {
  io_uring_params params{};
  // SUBMIT_ALL: one call's failure does not stop the rest of the batch.
  // COOP_TASKRUN: nothing of ours needs task work (MSG_DONTWAIT), so no
  // interrupting the thread for any.
  params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
  return io_uring_queue_init_params(kRingEntries, ring, &params);
}

void sayRefused(int err) {
  if (askedByName())
    usererrorOnce(&refusalSaid,
                  "CBRIDGE_IOBATCH=uring: io_uring cannot start in this process (%s): socket calls "
                  "are made one by one",
                  strerror(-err));
}

// decide settles the mode on its first call: off when asked, otherwise on
// when a ring can be made. The probe ring is thrown away: deciding here,
// not at a P's first batch, lets stats() say what will run before any
// task batched (a ping-pong alone on its P never does), as the netpoller's
// backend is known from the start.
Mode decide() {
  Mode md = mode.load(std::memory_order_relaxed);
  if (md != Mode::Unknown) return md;
  if (askedOff()) {
    md = Mode::Off;
  } else {
    io_uring probe;
    int err = setupRing(&probe);
    if (err == 0) io_uring_queue_exit(&probe);
    else sayRefused(err);
    md = err == 0 ? Mode::On : Mode::Off;
  }
  mode.store(md, std::memory_order_relaxed);
  return md;
}

// ringFor returns pp's ring, made on first use, or nullptr when batching
// is off (and from then on, for the whole process, if this ring failed).
IoBatch* ringFor(P* pp) {
  if (IoBatch* b = pp->iobatch.load(std::memory_order_relaxed)) return b;
  if (decide() == Mode::Off) return nullptr;
  auto* b = new (std::nothrow) IoBatch;
  if (b == nullptr) return nullptr;
  if (int err = setupRing(&b->ring); err != 0) {
    delete b;
    mode.store(Mode::Off, std::memory_order_relaxed);
    sayRefused(err);
    return nullptr;
  }
  pp->iobatch.store(b, std::memory_order_release);
  return b;
}

// queue adds one call to the running task's P's batch and parks the task
// until the batch has run; kNotBatched when it does not take it.
template <typename Prep>
ssize_t queue(bool send, Prep prep) {
  M* m = getm();
  if (m == nullptr || m->p == nullptr || m->curg == nullptr || m->lockedg != nullptr)
    return kNotBatched;
  // In a child of fork() a task may not park (gopark says why); its call,
  // made directly, may still succeed.
  if (gForkChild.load(std::memory_order_relaxed)) return kNotBatched;
  P* pp = m->p;
  // Alone on the P: the batch would be this call, submitted at once.
  if (runqempty(pp)) return kNotBatched;
  IoBatch* b = ringFor(pp);
  if (b == nullptr) return kNotBatched;
  io_uring_sqe* sqe = io_uring_get_sqe(&b->ring);
  if (sqe == nullptr) {
    iobatchFlush(pp);  // full: submit what is there (readying those tasks) first
    sqe = io_uring_get_sqe(&b->ring);
  }
  // From here to the park nothing may reschedule the task, or the batch
  // could be submitted and the task readied while it still runs: there is
  // no runtime call in between that checks for preemption, and the
  // preemption signal never stops the runtime's own code
  // (preempt_modules_linux.cpp).
  Op op{m->curg, 0, send};
  prep(sqe);
  io_uring_sqe_set_data(sqe, &op);
  pp->iobatchPending.store(pp->iobatchPending.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
  gopark(nullptr, nullptr, WaitReason::IoBatch);
  if (op.res < 0) {
    errno = -op.res;
    return -1;
  }
  return op.res;
}

// ready makes a batched call's task runnable on pp, as goready does, but
// at the queue's tail: the batch's tasks run in the order they queued.
void ready(P* pp, G* gp) {
  GStatus expected = GStatus::Waiting;
  if (!gp->status.compare_exchange_strong(expected, GStatus::Runnable, std::memory_order_acq_rel))
    fatal("iobatch: task %llu is not waiting (status %u)", static_cast<unsigned long long>(gp->id),
          static_cast<unsigned>(expected));
  traceGoUnpark(gp);
  runqput(pp, gp, false);
}

}  // namespace

ssize_t iobatchRecv(int fd, void* buf, size_t n) {
  return queue(false, [&](io_uring_sqe* sqe) { io_uring_prep_recv(sqe, fd, buf, n, MSG_DONTWAIT); });
}

ssize_t iobatchSend(int fd, const void* buf, size_t n) {
  return queue(true, [&](io_uring_sqe* sqe) { io_uring_prep_send(sqe, fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL); });
}

void iobatchFlush(P* pp) {
  int32_t pending = pp->iobatchPending.load(std::memory_order_relaxed);
  if (pending == 0) return;
  IoBatch* b = pp->iobatch.load(std::memory_order_relaxed);
  // Submit. EINTR (a signal) and EAGAIN/EBUSY (the kernel is short of
  // memory for a moment) leave the queue as it was: try again. Anything
  // else is a ring we broke.
  for (;;) {
    int r = io_uring_submit(&b->ring);
    if (r >= 0) break;
    if (r != -EINTR && r != -EAGAIN && r != -EBUSY) fatal("iobatch: io_uring_enter: %s", strerror(-r));
  }
  b->submits.store(b->submits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  b->calls.store(b->calls.load(std::memory_order_relaxed) + uint64_t(pending), std::memory_order_relaxed);
  // Reap: with MSG_DONTWAIT every call completed in the submit; should
  // one have gone to io_uring's workers, wait for it.
  bool sent = false;
  int32_t done = 0;
  while (done < pending) {
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&b->ring, head, cqe) {
      auto* op = reinterpret_cast<Op*>(io_uring_cqe_get_data(cqe));
      op->res = cqe->res;
      sent = sent || (op->send && cqe->res > 0);
      ready(pp, op->g);
      seen++;
    }
    io_uring_cq_advance(&b->ring, seen);
    done += int32_t(seen);
    if (done < pending) {
      int r = io_uring_wait_cqe(&b->ring, &cqe);
      if (r < 0 && r != -EINTR && r != -EAGAIN) fatal("iobatch: waiting for a completion: %s", strerror(-r));
    }
  }
  pp->iobatchPending.store(0, std::memory_order_relaxed);
  // A write to a reader of this process made it ready: find it now, as a
  // direct write does (netpollAfterWrite), once for the whole batch.
  if (sent) netpollAfterWrite();
  // The batch's tasks were this P's before they queued, and the P runs
  // them now; more than two is work enough to share with an idle P. (A
  // wakep for every batch cost the 1-connection echo a third of its rate:
  // the other P stole half of each ping-pong pair.)
  if (pending > 2) wakep();
}

IobatchStats iobatchstats() {
  IobatchStats s{decide() == Mode::On ? "io_uring" : "off", 0, 0};
  for (int32_t i = 0; i < sched->gomaxprocs; i++) {
    if (IoBatch* b = sched->allp[i]->iobatch.load(std::memory_order_acquire)) {
      s.calls += b->calls.load(std::memory_order_relaxed);
      s.submits += b->submits.load(std::memory_order_relaxed);
    }
  }
  return s;
}

}  // namespace cbridge::rt
