// SPDX-License-Identifier: MIT
// The contract between the generic netpoller (netpoll.cpp: pollDescs,
// fdseq tags, deadlines, readying waiters) and the OS's poller under it,
// as Go's netpoll.go stands over netpoll_epoll.go and netpoll_windows.go:
// init, open, close, poll(delay) → entries, break. Entries say an fd is
// ready in a direction: epoll and io_uring report readiness itself; IOCP
// (netpoll_iocp.cpp) reports the completion of an overlapped call, whose
// direction is the call's, and its waiter then has the call's result.
//
// A backend knows nothing of pollDescs. It carries, for every fd it was
// given, the tagged word open() received (pollDesc pointer, the low bits
// of its fdseq, source: netpoll.hpp's polltag) and hands it back
// unchanged with each readiness entry; the break entry it reports carries
// PollSource::Break alone. The generic part decodes every entry, drops a
// stale tag and stops on an unknown one: the same rules whatever the
// backend (seeds 000 and 001).
#pragma once

#include <cstdint>

namespace cbridge::rt {

// One entry a poll returned: the tagged word and the readiness bits
// (kPollIn … in netpoll.hpp, poll(2)'s values).
struct PollEntry {
  uint64_t data;
  uint32_t events;
  // The registration ended with this entry (io_uring's multishot poll
  // ends when its completion queue overflowed): netpoll.cpp gives it back
  // to rearm if the pollDesc still serves the fd. Never set by epoll.
  bool ended = false;
  // The backend knows the entry is not for the current use of the fd
  // (IOCP: an overlapped call that is not one of ours completed with our
  // key): netpoll.cpp counts it with the stale ones and drops it.
  bool stale = false;
};

struct NetpollBackend {
  const char *name; // "epoll", "io_uring", "iocp": what stats() reports
  // init makes the backend's instance and its break entry, once, under
  // netpoll.cpp's init lock. false: this kernel or process cannot have it
  // (the caller then tries the next backend); any other failure is fatal.
  bool (*init)();
  // open starts reporting readiness of fd (read and write, edge-triggered:
  // one entry per change, not one per poll) with data; 0 or an errno
  // (EPERM: the kind of file cannot be polled; EEXIST: fd is registered).
  int (*open)(int fd, uint64_t data);
  // close stops reporting fd, registered with data. Entries already
  // queued may still come: their tag is stale by then.
  void (*close)(int fd, uint64_t data);
  // rearm registers fd again after an entry that ended its registration
  // (nullptr: the backend never ends one). netpoll.cpp calls it with the
  // pollDesc's lock held, only while fd is still open and not closing, so
  // that it cannot race close.
  void (*rearm)(int fd, uint64_t data);
  // poll waits at most delay ns (< 0: until an entry or a wake; 0: not at
  // all) and stores at most max entries in out; it returns how many. It
  // may be called from several threads at once.
  int (*poll)(int64_t delay, PollEntry *out, int max);
  // wake makes a blocked (or the next blocking) poll return the break
  // entry; drainBreak consumes it, so that the next wake reports again.
  // netpoll.cpp coalesces wakes (one pending at a time).
  void (*wake)();
  void (*drainBreak)();
};

extern const NetpollBackend epollBackend;
extern const NetpollBackend uringBackend;
extern const NetpollBackend iocpBackend;

} // namespace cbridge::rt
