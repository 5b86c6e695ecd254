// SPDX-License-Identifier: MIT
// The netpoller: blocking I/O of tasks parks them on the OS's poller
// (Go's netpoll.go; the backends are in netpoll_backend.hpp).
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/lock.hpp"
#include "runtime/timers.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::rt {

// Why a pollwait returned. Error: the poller reported only an error
// condition (kPollErr alone, as a tun device without an interface does) for
// a read; Go's pollErrNotPollable. Shutdown: the runtime was shut down, so
// no poller will ever run again.
enum class PollResult { Ready, Timeout, Closing, Error, Shutdown };

// A pollDesc is the runtime's side of one fd registered with the poller.
// They live in type-stable regions that are never unmapped, so a stale
// event may always read one; fdseq, bumped when a pollDesc is freed, tells
// such an event from a current one (the seed "pollDesc fd sequence").
// Everything but fdseq is under lock.
struct alignas(64) PollDesc {
  Lock lock{LockRank::PollDesc};
  int fd = -1;
  // Read by netpoll without the lock to check an event's tag; written
  // under the lock (release) when the pollDesc is freed.
  std::atomic<uint64_t> fdseq{0};
  bool closing = false;
  // Per direction ('r' and 'w'): a readiness notification not yet
  // consumed, the task or thread waiting, and its deadline timer.
  struct Dir {
    PollDesc* owner = nullptr;  // set once when the block is made
    char mode = 0;              // 'r' or 'w'
    bool ready = false;
    // The last event for the current fd (fdseq matched) was kPollErr
    // alone: a read wait then fails with Error (Go's pollEventErr).
    bool eventErr = false;
    Waiter* waiter = nullptr;
    PollResult* result = nullptr;  // where to tell the waiter why it woke
    int64_t deadline = 0;          // 0: none; < 0: already expired
    Timer timer;
    uint64_t timerSeq = 0;         // bumped by every deadline change
    uint64_t timerArmedSeq = 0;    // timerSeq when the timer was armed: a stale firing is ignored
  } rd, wd;
};

// The readiness bits of a poller's entry: poll(2)'s values, which epoll
// and io_uring's poll both report.
constexpr uint32_t kPollIn = 0x001, kPollOut = 0x004, kPollErr = 0x008, kPollHup = 0x010, kPollRdHup = 0x2000;

// netpollinit starts the poller once (the backend's instance and its
// break entry).
void netpollinit();
bool netpollinited();

// pollopen registers fd (edge-triggered, read and write) and returns its
// pollDesc, or nullptr with errno set (EPERM: the poller refuses this kind of
// file, which the caller then treats as not pollable; EEXIST: fd is
// registered already, by a File or another waiter, whose registration
// stays as it was).
PollDesc* pollopen(int fd);
// pollclose unregisters fd and frees pd (after polleventclose woke its
// waiters). fd must still be open.
void pollclose(PollDesc* pd);
// pollseq is pd's fdseq now: its owner keeps it from pollopen, and the
// calls below that take one refuse (Closing) a pollDesc that has been
// freed since, and perhaps reused for another fd (Go's pd.fdseq check).
inline uint64_t pollseq(const PollDesc* pd) { return pd->fdseq.load(std::memory_order_acquire); }
// polleventclose marks pd closing and wakes every waiter with Closing.
void polleventclose(PollDesc* pd);
// pollwait parks the caller until pd is ready in mode ('r' or 'w'), its
// deadline passes (Timeout), it is closed (Closing), a read sees an error
// event (Error) or the runtime shuts down (Shutdown). One waiter per
// direction: a second one is a fatal error (Go's "double wait"); File
// serializes its readers and its writers, wait_fd registers per call.
PollResult pollwait(PollDesc* pd, char mode);
// pollprepare readies pd for a call in mode that pollwait will wait on
// (Go's runtime_pollReset): the error a wait would return at once
// (Closing, Timeout, Error, Shutdown), else Ready with any readiness left
// over from an earlier call forgotten.
PollResult pollprepare(PollDesc* pd, char mode);
// pollwaitcanceled parks until pd is ready in mode, whatever its deadline
// or closing say: the completion of an overlapped call that was cancelled
// (a deadline passed, or the file is closing) must still be waited for,
// since until it comes the OS may write the call's OVERLAPPED and buffer
// (Go's runtime_pollWaitCanceled, Windows only there too). Ready, or
// Shutdown when no poller will ever deliver it.
PollResult pollwaitcanceled(PollDesc* pd, char mode);
// pollsetdeadline sets the deadline of mode ('r', 'w' or both: 'b') as an
// absolute nanotime (0: none); an expired one wakes the waiter. false (and
// nothing touched) if pd was freed since its owner's pollseq.
bool pollsetdeadline(PollDesc* pd, uint64_t seq, int64_t deadline, char mode);
// netpollShutdown runs once the runtime stops: no poller runs after it, so
// every plain thread parked on a pollDesc wakes with Shutdown, and every
// later pollwait returns Shutdown at once.
void netpollShutdown();

// WakeList collects the waiters a poll made ready, for the caller to wake
// once it is ready to run them (the blocked poller first takes a P, so
// that they land on its queue: Go's findrunnable after a blocking netpoll).
struct WakeList {
  static constexpr int kMax = 256;  // 128 events, two directions each
  Waiter* w[kMax];
  int n = 0;
  int events = 0;  // ready events delivered (each may ready up to two waiters)
  void wakeAll() {
    for (int i = 0; i < n; i++) w[i]->wake();
    n = 0;
  }
  // queueOn puts the task waiters on pp's run queue (the caller owns pp)
  // and wakes the thread waiters, then wakes one M if tasks were queued: a
  // poll's batch costs one wakeup, not one per task (Go's injectglist).
  void queueOn(P* pp);
  // takeTask removes and returns a task waiter to run next on the calling
  // M, marked runnable, or nullptr if there is none: no other M needs to
  // be woken for it (Go's findrunnable returns the first polled G itself).
  G* takeTask();
  // takeNewestTask is takeTask for the task of the most recent event
  // (epoll reports events in the order they became ready).
  G* takeNewestTask();

 private:
  G* takeAt(int i);
};

// netpoll checks for ready fds, waiting at most delay ns (< 0: until an
// event or netpollBreak; 0: not at all), and adds their waiters to out.
// It returns how many it added.
int netpoll(int64_t delay, WakeList* out);
// netpollBreak interrupts a blocked netpoll (an earlier timer, shutdown).
void netpollBreak();
// netpollAfterWrite runs on a task right after its write to a pollable fd
// succeeded. When the reader of that data is a task of this process (the
// other end of a loopback or Unix socket, or of a pipe), the kernel made
// it ready in epoll during the write: a poll now finds it, and it runs
// next on this P, in runnext, as the receiver of a channel send does. The
// pair stays on one CPU, with its socket buffers in that CPU's cache,
// instead of going to whichever M polls next: on the loopback echo
// benchmark that is about 10% more round trips. Unlike a channel pair,
// which keeps the P for a 10 ms slice, such a pair goes to the back of
// the queue every few hand-offs (kPollAfterWriteChain), so the other
// connections on the P wait microseconds, not milliseconds. Go does not do
// this; see P::pollAfterWriteMisses for what it costs when the readers are
// remote.
void netpollAfterWrite();
// netpollWaiters is how many waiters are parked on the poller now: exact
// for the caller's own parks, a moment late for other Ms' (their per-P
// counts are read relaxed), which sysmon's 10 ms poll covers.
int64_t netpollWaiters();

struct NetpollStats {
  uint64_t events;  // ready events delivered to a current pollDesc
  uint64_t stale;   // events for a freed (or freed and reused) pollDesc, dropped
  uint64_t breaks;  // break entries drained by a blocking poll
  // Breaks drained by a poll that did not block: each is a wake-up a
  // sleeping poller may have lost (seed 000). drainBreak counts them; the
  // rule in pollevent (only a blocking poll drains) keeps it 0, and tests
  // (and a future backend) show that it stays so.
  uint64_t breaksLost;
  const char* backend;  // "epoll", "io_uring"; "none" before the first pollable file
};
NetpollStats netpollstats();

// A poller entry's data (epoll's data, io_uring's user_data): a tagged
// pointer (tagptr.hpp), as in Go's netpoll. The pointer is the pollDesc;
// the tag holds the source in its bits 0-1 and the low 16 bits of the
// pollDesc's fdseq above them. The break entry is the source Break with
// no pointer (the word is PollSource::Break), so break, ready and unknown
// entries are told apart.
enum class PollSource : uint64_t { Unknown = 0, Ready = 1, Break = 2 };
uint64_t polltag(const PollDesc* pd, uint64_t fdseq);
// pollsource says what a data word is, without reading anything it points
// to: the break, a pollDesc of ours (Ready: perhaps a stale tag), or
// Unknown. A backend that must look at more than the word before it can
// hand an entry on (IOCP: the OVERLAPPED that came with it) asks first.
PollSource pollsource(uint64_t data);
// pollevent handles one poller entry's data and bits for a poll that
// waited at most delay (0: not at all), adding the waiters it made ready to
// out; exposed so a test can deliver a stale or unknown one
// deterministically. Returns how many it added. Data that is neither the
// break nor a pollDesc of ours is a fatal error.
int pollevent(uint64_t data, uint32_t events, int64_t delay, WakeList* out);

}  // namespace cbridge::rt
