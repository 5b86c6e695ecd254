// SPDX-License-Identifier: MIT
// The io_uring backend: readiness through one shared ring. Every pollable
// fd gets a multishot IORING_OP_POLL_ADD for read and write whose
// user_data is the pollDesc's tagged word, exactly the word epoll carries
// (polltag: pointer, fdseq tag, source), so netpoll.cpp decides stale and
// unknown completions as it does for epoll. The break entry is an eventfd
// with its own multishot poll, user_data PollSource::Break alone.
//
// What differs from epoll, and how this file keeps the contract:
//
// Registration rules. epoll refuses a file that cannot be polled (EPERM:
// a regular file) and an fd registered twice (EEXIST); io_uring's poll
// accepts both, reporting a regular file ready forever. The contract (and
// File::adopt, wait_fd) rely on epoll's answers, so open asks a
// registration-only epoll instance first (events 0: it never reports) and
// keeps fd there until close: the same answers, one extra system call per
// open and close, none per I/O.
//
// Closing. A poll request holds a reference to the file: close(fd) with a
// request armed would leave the socket open (no FIN; the peer waits
// forever). close cancels the request (IORING_OP_ASYNC_CANCEL by
// user_data, submitted at once) before the caller closes the fd. Not
// IORING_OP_POLL_REMOVE: it fails with EALREADY while the request's
// completion is being run, and the multishot request lives on.
//
// Reaping. The completion queue has one consumer at a time: whoever holds
// `reaping`. A blocking poll (only the timer waiter M polls so; and the
// tests) holds it across its wait, so a non-blocking poll meanwhile
// returns nothing; the blocked one wakes on the same completions and
// delivers them. That also keeps seed 000's break rule: a completion,
// unlike epoll's level-triggered eventfd, is gone once reaped, so a
// non-blocking poll that reaps the break entry latches it (breakLatched)
// for the next blocking poll, which reports it without waiting. The latch
// is only touched with `reaping` held, so no blocking poll can check it
// and then sleep past a break reaped in between (models/uringbreak.pml).
//
// Submission. Submissions (open, close, rearm) take ringLock and submit at
// once: a pollDesc's request must be armed before its owner waits.
//
// Ending. A multishot poll ends (a completion without IORING_CQE_F_MORE)
// when it was cancelled (-ECANCELED: the fd is closing) or when the
// completion queue overflowed; the latter is reported as `ended`, and
// netpoll.cpp re-arms the fd if it is still current.
//
// Whose thread. io_uring runs a poll's completion as task work of the
// thread that submitted it, interrupting that thread (TWA_SIGNAL) if it is
// running or asleep: every readiness event costs a hop through the thread
// that opened the fd, and a foreign call on that thread blocked in a
// system call that is not restarted (epoll_wait, for one) may return
// EINTR. That is why epoll stays the default (netpoll.cpp).
#include <liburing.h>
#include <sched.h>
#include <sys/epoll.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/netpoll_backend.hpp"
#include "runtime/netpoll_breakfd_linux.hpp"

namespace cbridge::rt {

namespace {

io_uring ring;
// The registration-only epoll instance (see Registration rules) and the
// break eventfd; written once by init.
int regfd = -1;
int breakfd = -1;
// The user_data of cancel requests: a failed cancel (the poll had ended)
// posts a completion, which is this file's own, not an entry.
constexpr uint64_t kRemoveData = uint64_t(PollSource::Break) | 4;
constexpr unsigned kPollMask = kPollIn | kPollOut | kPollRdHup;

// Serializes submissions: the submission queue has one producer at a time.
Lock ringLock{LockRank::NetpollRing};
// The completion queue's one consumer (see Reaping); acquire/release so
// that what one reaper did to the queue is seen by the next.
std::atomic<bool> reaping{false};
// A break reaped by a non-blocking poll, for the next blocking one; only
// read or written with `reaping` held.
bool breakLatched = false;

io_uring_sqe *getsqe() {
  io_uring_sqe *sqe = io_uring_get_sqe(&ring);
  if (sqe == nullptr) { // full: push what is queued, then there is room
    io_uring_submit(&ring);
    sqe = io_uring_get_sqe(&ring);
    if (sqe == nullptr)
      fatal("netpoll: io_uring submission queue stays full");
  }
  return sqe;
}

// submit pushes the queued requests, retrying on EINTR and EAGAIN/EBUSY
// (the kernel is short of memory or has too many completions pending:
// they clear as we reap).
void submit() {
  for (;;) {
    int r = io_uring_submit(&ring);
    if (r >= 0)
      return;
    if (r != -EINTR && r != -EAGAIN && r != -EBUSY)
      fatal("netpoll: io_uring_submit failed: %s", strerror(-r));
    sched_yield();
  }
}

void armPoll(int fd, uint64_t data) {
  io_uring_sqe *sqe = getsqe();
  io_uring_prep_poll_multishot(sqe, fd, kPollMask);
  io_uring_sqe_set_data64(sqe, data);
}

bool uringInit() {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE;
  p.cq_entries = 16384; // entries pile up only while nobody reaps
  if (io_uring_queue_init_params(1024, &ring, &p) != 0)
    return false; // disabled, seccomp, old kernel
  // Needed: completions kept rather than dropped on overflow, timed
  // waits, multishot poll (5.13; a probe says whether POLL_ADD exists).
  io_uring_probe *probe = io_uring_get_probe_ring(&ring);
  bool ok = (p.features & IORING_FEAT_NODROP) &&
            (p.features & IORING_FEAT_EXT_ARG) && probe != nullptr &&
            io_uring_opcode_supported(probe, IORING_OP_POLL_ADD) &&
            io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL);
  if (probe != nullptr)
    io_uring_free_probe(probe);
  if (!ok) {
    io_uring_queue_exit(&ring);
    return false;
  }
  regfd = epoll_create1(EPOLL_CLOEXEC);
  if (regfd < 0)
    fatal("netpollinit: epoll_create1 failed: %s", strerror(errno));
  breakfd = breakfdOpen();
  // No ringLock: nobody else sees the ring before netpoll.cpp publishes
  // the backend (and init runs under its init lock, a leaf).
  armPoll(breakfd, uint64_t(PollSource::Break));
  submit();
  return true;
}

int uringOpen(int fd, uint64_t data) {
  epoll_event ev{}; // events 0: only the registration's answer counts
  if (epoll_ctl(regfd, EPOLL_CTL_ADD, fd, &ev) != 0)
    return errno;
  LockGuard g(ringLock);
  armPoll(fd, data);
  submit();
  return 0;
}

void uringRearm(int fd, uint64_t data) {
  LockGuard g(ringLock);
  armPoll(fd, data);
  submit();
}

void uringClose(int fd, uint64_t data) {
  {
    LockGuard g(ringLock);
    io_uring_sqe *sqe = getsqe();
    io_uring_prep_cancel64(sqe, data, 0);
    io_uring_sqe_set_data64(sqe, kRemoveData);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    submit();
  }
  epoll_ctl(regfd, EPOLL_CTL_DEL, fd, nullptr);
}

// wait blocks until the completion queue has an entry, delay ns pass
// (< 0: no limit) or a signal arrives.
void wait(int64_t delay) {
  if (io_uring_cq_ready(&ring) != 0)
    return;
  __kernel_timespec ts{delay / 1000000000, delay % 1000000000};
  io_uring_getevents_arg arg{};
  arg.sigmask_sz = _NSIG / 8;
  if (delay >= 0)
    arg.ts = reinterpret_cast<uint64_t>(&ts);
  int r = io_uring_enter2(ring.ring_fd, 0, 1,
                          IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                          reinterpret_cast<sigset_t *>(&arg), sizeof arg);
  if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
    fatal("netpoll: io_uring_enter failed: %s", strerror(-r));
}

int uringPoll(int64_t delay, PollEntry *out, int max) {
  if (delay == 0) {
    if (reaping.exchange(true, std::memory_order_acquire))
      return 0; // a poller is reaping, or blocked
  } else {
    while (reaping.exchange(true, std::memory_order_acquire))
      sched_yield(); // a non-blocking reaper, briefly
  }
  int n = 0;
  if (delay != 0 && breakLatched) {
    breakLatched = false;
    out[n++] = {uint64_t(PollSource::Break), kPollIn};
  } else if (delay != 0) {
    wait(delay);
  }
  io_uring_cqe *cqes[128];
  unsigned got = io_uring_peek_batch_cqe(
      &ring, cqes, unsigned(max - n < 128 ? max - n : 128));
  bool rearmBreak = false;
  for (unsigned i = 0; i < got; i++) {
    io_uring_cqe *c = cqes[i];
    uint64_t data = c->user_data;
    bool more = (c->flags & IORING_CQE_F_MORE) != 0;
    if (data ==
        kRemoveData) { // a cancel that found nothing: the poll had ended
      if (c->res != -ENOENT)
        fatal("netpoll: io_uring cancel failed (user_data %#llx): %s",
              static_cast<unsigned long long>(data), strerror(-c->res));
      continue;
    }
    if (data == uint64_t(PollSource::Break)) {
      if (!more)
        rearmBreak = true;
      if (c->res < 0)
        continue;
      if (delay == 0) {
        breakLatched = true; // for the next blocking poll (see Reaping)
      } else {
        out[n++] = {data, uint32_t(c->res)};
      }
      continue;
    }
    if (c->res < 0) {
      // -ECANCELED: cancelled by close. Anything else is a request we made
      // wrongly: say so rather than let its waiter sleep forever.
      if (c->res != -ECANCELED)
        fatal("netpoll: io_uring poll failed (user_data %#llx): %s",
              static_cast<unsigned long long>(data), strerror(-c->res));
      continue;
    }
    out[n] = {data, uint32_t(c->res)};
    out[n++].ended = !more;
  }
  io_uring_cq_advance(&ring, got);
  reaping.store(false, std::memory_order_release);
  if (rearmBreak) {
    LockGuard g(ringLock);
    armPoll(breakfd, uint64_t(PollSource::Break));
    submit();
  }
  return n;
}

void uringWake() { breakfdWrite(breakfd); }

void uringDrainBreak() { breakfdDrain(breakfd); }

}  // namespace

const NetpollBackend uringBackend = {
    "io_uring", uringInit, uringOpen, uringClose, uringRearm, uringPoll, uringWake, uringDrainBreak,
};

}  // namespace cbridge::rt
