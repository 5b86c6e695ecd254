// SPDX-License-Identifier: MIT
// The I/O batch: the socket reads and writes of a P's tasks, gathered and
// made in one system call (iobatch_uring.cpp: an io_uring per P).
//
// Why. A loopback echo spends about half its CPU entering and leaving the
// kernel (README, "Performance"): each task's recv and send is a system
// call of its own, and on a virtual machine each costs far more than the
// work it does. A P runs many tasks in turn, so their calls can go
// together: a task that would make one queues it instead and parks, and
// when its P runs out of other tasks (findRunnable), the P submits every
// queued call in one io_uring_enter and readies their tasks with the
// results. Readiness stays the netpoller's: a batched read that finds no
// data returns EAGAIN, and the task then waits on its pollDesc as before.
//
// Why this keeps io_uring's threading out of the way. Every call is made
// with MSG_DONTWAIT: io_uring then completes it during the io_uring_enter
// that submits it, with data or with EAGAIN, and never arms a poll of its
// own. A poll's completion would be task work of the submitting thread,
// run when that thread next enters the kernel and signalled to it if it
// sleeps, interrupting whatever foreign code it runs (see
// netpoll_uring.cpp): a batch leaves nothing behind on any thread.
//
// The protocol, for a P pp:
//  - Only the M holding pp touches pp's ring, and only while it runs pp's
//    scheduler or one of pp's tasks: the ring is as private to the P as
//    its run queue's tail.
//  - pp->iobatchPending counts the calls queued on the ring and not yet
//    completed. Its tasks are parked (Waiting) but are work of pp's all
//    the same, so runqempty(pp) says false while it is not 0: handoffp
//    starts an M for pp instead of idling it, sysmon retakes it from a
//    foreign call, and no P is ever idle with calls queued (pidleput
//    checks). findRunnable submits pp's batch before it looks anywhere
//    else, so a P's tasks wait at most until it has run its other ready
//    tasks once.
//  - A task locked to its M (a callback's) does not batch: its park would
//    hand pp to another M to submit the batch.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

struct P;

// The result of a call the batch did not take: the caller makes it itself.
constexpr ptrdiff_t kNotBatched = INT64_MIN;

// iobatchRecv and iobatchSend make recv(fd, buf, n, 0) and send(fd, buf,
// n, MSG_NOSIGNAL) on a socket through the running task's P's batch, or
// return kNotBatched when batching would not pay (nothing else of the P
// is ready to run: the task would park only to be resumed at once) or is
// off. Otherwise they return what the call returned, with errno set on
// -1, like the system call.
ptrdiff_t iobatchRecv(int fd, void* buf, size_t n);
ptrdiff_t iobatchSend(int fd, const void* buf, size_t n);

// iobatchFlush submits pp's queued calls and puts their tasks on pp's
// run queue. The caller holds pp (its M runs pp's scheduler).
void iobatchFlush(P* pp);

// What stats() reports.
struct IobatchStats {
  const char* mechanism;  // "io_uring", or "off" (CBRIDGE_IOBATCH=off, or no io_uring)
  uint64_t calls;         // calls made through a batch
  uint64_t submits;       // io_uring_enter calls that submitted them
};
IobatchStats iobatchstats();

}  // namespace cbridge::rt
