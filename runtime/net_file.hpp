// SPDX-License-Identifier: MIT
// cbridge::net's portable part (net.cpp): a File's state and what every
// OS's operations share: holding a file open for an operation, waiting on
// its pollDesc, deadlines, errors. The operations themselves are the OS's
// (net_unix.cpp: try the call, park on EAGAIN; net_windows.cpp: start an
// overlapped call, park until its completion).
#pragma once

#include <atomic>
#include <memory>
#include <chrono>
#include <cstdint>
#include <system_error>

#include "cbridge/mutex.hpp"
#include "cbridge/net.hpp"
#include "runtime/netpoll.hpp"

namespace cbridge::net::detail {

// closeFd closes a File's fd (a socket when socket): the OS's close.
std::error_code closeFd(int fd, bool socket);

// ops counts operations in progress; close waits for them to leave (they
// do at once: a closing pollDesc wakes and refuses every wait, and a
// closed file refuses every new one) before the fd is closed, so no
// operation ever runs on a reused fd number. On Windows an operation
// leaves only once its overlapped call has completed (net_windows.cpp),
// so the fd is never closed under one.
// A pollDesc has one waiter slot per direction, so readers are serialized
// by rmu and writers by wmu (Go's fdMutex): a second reader waits on the
// mutex, not on the poller.
struct FileImpl {
  int fd = -1;  // on Windows a SOCKET or HANDLE, whose values fit in 32 bits
  rt::PollDesc* pd = nullptr;  // nullptr: not pollable (foreign calls)
  uint64_t seq = 0;            // pd's fdseq when it was opened for fd
  bool socket = false;         // a socket: recv/send, shutdown
  // Windows: the port queues no completion for a call that succeeded at
  // once (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS took); else every call's
  // completion is waited for.
  bool skipSync = false;
  std::atomic<bool> closed{false};
  std::atomic<int64_t> ops{0};
  cbridge::Mutex rmu;
  cbridge::Mutex wmu;

  ~FileImpl() {
    if (!closed.load()) closeNow();
  }
  std::error_code closeNow();
};

struct FileAccess {
  static FileImpl* impl(const File& f) { return f.impl_.get(); }
  static File& file(Listener& l) { return l.file_; }
};

// OpGuard holds the file open for one operation.
struct OpGuard {
  FileImpl* f;
  explicit OpGuard(FileImpl* f) : f(f) { f->ops.fetch_add(1, std::memory_order_acq_rel); }
  ~OpGuard() { f->ops.fetch_sub(1, std::memory_order_acq_rel); }
};

// sysErr is an errno value as an error_code: in the system category on
// POSIX, whose system errors are errnos; on Windows, whose system
// category holds its own codes, in one that names the socket errnos the C
// library does not and compares equal to std::errc (net_windows.cpp).
std::error_code sysErr(int e);
inline std::error_code closedErr() { return std::make_error_code(std::errc::bad_file_descriptor); }
inline std::error_code timeoutErr() { return std::make_error_code(std::errc::timed_out); }
// shutdownErr is the error of an operation after cbridge::shutdown():
// ESHUTDOWN, or WSAESHUTDOWN on Windows, which has no ESHUTDOWN.
std::error_code shutdownErr();

// started starts the runtime if nothing has (a plain thread's first File
// or wait_fd, as Go's runtime is running before main), and says once per
// process, naming what, when it cannot because it was shut down.
bool started(const char* what);

// pollError is the error a pollwait's result means (none for Ready).
std::error_code pollError(rt::PollResult r, const char* what);

// waitFor parks until f is ready in mode; an error if it cannot be.
inline std::error_code waitFor(FileImpl* f, char mode) {
  return pollError(rt::pollwait(f->pd, mode), "a File operation");
}

// toNanotime is d as the runtime's clock (0: none; an expired deadline
// stays in the past).
int64_t toNanotime(Deadline d);

}  // namespace cbridge::net::detail
