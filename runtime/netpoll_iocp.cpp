// SPDX-License-Identifier: MIT
// The I/O completion port backend (Go's netpoll_windows.go, with seed 000:
// every completion is identifiable). Windows reports the completion of a
// call, not readiness: net_windows.cpp starts an overlapped call (WSARecv,
// WSASend, AcceptEx, ConnectEx) with an IocpOp (netpoll_iocp.hpp) and, when
// it does not complete at once, parks on the pollDesc in the call's
// direction; the completion readies that waiter, which then reads the
// call's result from its OVERLAPPED.
//
// The completion key says whose a completion is, before anything it
// points to is read:
//   - open associates a socket with the port under the key netpoll.cpp
//     gave it: the pollDesc tagged with its fdseq and PollSource::Ready
//     (polltag). A completion that comes after the pollDesc was freed, or
//     freed and reused, carries the old tag and is dropped by netpoll.cpp
//     as stale (seed 001's rule, here too);
//   - wake posts a completion whose key is PollSource::Break alone, and
//     whose OVERLAPPED is null: the break entry;
//   - any other key cannot come from this runtime, since no one else has
//     the port's handle: fatal, "netpoll: unknown completion key".
// With our key but an OVERLAPPED whose IocpOp::key differs, a completion
// is a call the host made itself on our socket: dropped and counted as
// stale (Go's issue 58870), never a wake-up of our waiter.
//
// A dequeued completion is gone, unlike a readable eventfd: a poll that
// does not block (sysmon's, or after a write) and takes the break posts
// it again for the poller it was meant for (Go's netpoll does the same),
// which is netpoll.cpp's rule that only a blocking poll drains the break.
#include <winsock2.h>
#include <windows.h>

#include <algorithm>
#include <cstdint>

#include "runtime/fatal.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/netpoll_backend.hpp"
#include "runtime/netpoll_iocp.hpp"

namespace cbridge::rt {

namespace {

// Written once by init, before netpoll.cpp publishes the backend.
HANDLE port = nullptr;

constexpr uint64_t kBreakKey = uint64_t(PollSource::Break);

bool iocpInit() {
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  if (port == nullptr) fatal("netpollinit: CreateIoCompletionPort failed (error %lu)", GetLastError());
  return true;
}

int iocpOpen(int fd, uint64_t data) {
  auto h = reinterpret_cast<HANDLE>(uintptr_t(unsigned(fd)));
  if (CreateIoCompletionPort(h, port, ULONG_PTR(data), 0) != nullptr) return 0;
  // A handle is associated with one port for its life: the host's port,
  // or ours through another File.
  return GetLastError() == ERROR_INVALID_PARAMETER ? EEXIST : EPERM;
}

// The association ends with the socket's handle; completions still
// queued carry a tag that is stale by then.
void iocpClose(int, uint64_t) {}

void iocpWake() {
  if (!PostQueuedCompletionStatus(port, 0, ULONG_PTR(kBreakKey), nullptr))
    fatal("netpoll: PostQueuedCompletionStatus failed (error %lu)", GetLastError());
}

// delay in ns as GetQueuedCompletionStatusEx's milliseconds, as Go rounds
// it: at least 1 ms for a positive delay, at most 10^9 ms.
DWORD waitMillis(int64_t delay) {
  if (delay < 0) return INFINITE;
  if (delay == 0) return 0;
  if (delay < 1000000) return 1;
  return DWORD(std::min<int64_t>(delay / 1000000, 1000000000));
}

int iocpPoll(int64_t delay, PollEntry* out, int max) {
  OVERLAPPED_ENTRY ents[64];
  ULONG n = 0;
  ULONG want = ULONG(std::min(max, 64));
  if (!GetQueuedCompletionStatusEx(port, ents, want, &n, waitMillis(delay), FALSE)) {
    DWORD e = GetLastError();
    if (e == WAIT_TIMEOUT) return 0;
    fatal("netpoll: GetQueuedCompletionStatusEx failed (error %lu)", e);
  }
  int k = 0;
  for (ULONG i = 0; i < n; i++) {
    uint64_t key = ents[i].lpCompletionKey;
    switch (pollsource(key)) {
      case PollSource::Break:
        if (delay == 0) {
          iocpWake();  // for the poller that blocks (see the top)
          continue;
        }
        out[k++] = PollEntry{key, 0};
        break;
      case PollSource::Ready: {
        auto* op = reinterpret_cast<IocpOp*>(ents[i].lpOverlapped);
        PollEntry e{key, 0};
        if (op == nullptr || op->key != key)
          e.stale = true;  // the host's own call on our socket
        else
          e.events = op->mode == 'r' ? kPollIn : kPollOut;
        out[k++] = e;
        break;
      }
      default:
        fatal("netpoll: unknown completion key %#llx (overlapped %p)",
              static_cast<unsigned long long>(key), static_cast<void*>(ents[i].lpOverlapped));
    }
  }
  return k;
}

// The break completion was consumed when it was dequeued.
void iocpDrainBreak() {}

}  // namespace

HANDLE iocpPort() { return port; }

const NetpollBackend iocpBackend = {"iocp",   iocpInit, iocpOpen, iocpClose, nullptr,
                                    iocpPoll, iocpWake, iocpDrainBreak};

}  // namespace cbridge::rt
