// SPDX-License-Identifier: MIT
// What an overlapped call of cbridge::net on Windows (net_windows.cpp)
// hands the IOCP backend (netpoll_iocp.cpp) along with its OVERLAPPED: Go's
// net_op, the head of internal/poll's operation.
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstdint>

namespace cbridge::rt {

// IocpOp is one overlapped call on a socket associated with the port. It
// lives in the calling frame, and that frame waits for the call's
// completion even when the call was cancelled (pollwaitcanceled), so the
// OS and the poller only ever write and read a live IocpOp.
struct IocpOp {
  OVERLAPPED ov{};  // first: the OVERLAPPED* of a completion is the IocpOp*
  // The completion key the socket was associated with (polltag of its
  // pollDesc). A completion is one of ours only when the key it came with
  // equals this: an overlapped call the host made itself on one of our
  // sockets completes to our port with our key too, but with an OVERLAPPED
  // of its own (Go's issue 58870; Go compares op.pd with the key's, and
  // reads past a foreign OVERLAPPED as this does).
  uint64_t key = 0;
  char mode = 0;  // 'r' or 'w': the waiter the completion readies
};

// iocpPort is the netpoller's completion port (nullptr before the poller
// starts): for a test that must post what only a bug could.
HANDLE iocpPort();

}  // namespace cbridge::rt
