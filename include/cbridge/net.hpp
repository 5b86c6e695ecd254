// SPDX-License-Identifier: MIT
// Blocking-style I/O for tasks that parks only the task (Go's net and os
// packages over the netpoller): files and sockets, TCP, Unix sockets,
// pipes, and any fd a C library hands over.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "cbridge/export.h"

namespace cbridge::net {

namespace detail {
struct FileImpl;
struct FileAccess;  // the implementation's access to File and Listener
}

// The result of a read or write: bytes moved and, if it stopped short, why.
// Ordinary I/O failures are values, never exceptions: errc::timed_out for
// an expired deadline (the file stays usable), errc::bad_file_descriptor
// for a file closed (by another task too), errc::io_error (EIO) for a read
// that would wait on an fd the poller reports only an error for (EPOLLERR
// alone: it cannot be polled, Go's ErrNotPollable), ESHUTDOWN (system
// category) for one that would wait after cbridge::shutdown(), else the
// errno.
struct IoResult {
  size_t n = 0;          // bytes read or written
  std::error_code err;  // why it stopped short; empty on success
};

using Deadline = std::chrono::steady_clock::time_point;  // Deadline{}: none

// A File is an fd owned by the runtime: registered with the netpoller when
// epoll takes it (sockets, pipes, FIFOs, ttys...), else (regular files,
// some devices) its reads and writes run as foreign calls, so they do not
// stall the scheduler either. Copies share the fd; the last one closes it.
class CBRIDGE_EXPORT File {
 public:
  File() = default;
  // adopt takes ownership of fd (sets it non-blocking if pollable). It
  // starts the runtime if nothing has; after cbridge::shutdown() it fails
  // with ESHUTDOWN (one line on stderr per process) and fd stays the
  // caller's.
  static std::pair<File, std::error_code> adopt(int fd);

  // read reads at most n bytes; n == 0 with no error means end of file.
  IoResult read(void* buf, size_t n);
  // write writes all n bytes unless an error stops it.
  IoResult write(const void* buf, size_t n);
  // close wakes every task blocked on the file (bad_file_descriptor) and
  // closes the fd once they are out.
  std::error_code close();
  // shutdown half-closes a socket (SHUT_RD, SHUT_WR or SHUT_RDWR).
  std::error_code shutdown(int how);

  // Deadlines for the operations in progress and later ones (Deadline{}:
  // none). bad_file_descriptor once the file is closed: a closed file's
  // deadline never reaches a file opened after it.
  std::error_code set_deadline(Deadline d);
  std::error_code set_read_deadline(Deadline d);
  std::error_code set_write_deadline(Deadline d);

  int fd() const;         // the fd, still owned by the File; -1 for an empty File
  bool pollable() const;  // registered with the netpoller (not a regular file)
  explicit operator bool() const { return impl_ != nullptr; }  // not an empty File

 private:
  friend struct detail::FileAccess;
  std::shared_ptr<detail::FileImpl> impl_;
};

using Conn = File;  // a connected socket is a File

// Listener is a listening socket (listen_tcp, listen_unix).
class CBRIDGE_EXPORT Listener {
 public:
  Listener() = default;
  // accept waits for a connection.
  std::pair<Conn, std::error_code> accept();
  std::error_code close();
  std::error_code set_deadline(Deadline d);
  uint16_t port() const;  // the bound TCP port (useful after listening on port 0)
  explicit operator bool() const { return bool(file_); }  // not an empty Listener

 private:
  friend struct detail::FileAccess;
  File file_;
};

// listen_tcp listens on an IPv4 address ("127.0.0.1"); port 0 picks one.
CBRIDGE_EXPORT std::pair<Listener, std::error_code> listen_tcp(const std::string& host,
                                                               uint16_t port, int backlog = 512);
// dial_tcp connects, giving up with timed_out after timeout (0: no limit).
// A connection to itself (local and remote address equal, which Linux may
// make when the port dialed is a free ephemeral one) is never returned: it
// is retried, as Go's dialer does, then reported as connection_refused.
CBRIDGE_EXPORT std::pair<Conn, std::error_code> dial_tcp(const std::string& host, uint16_t port,
                                                         std::chrono::nanoseconds timeout = {});
// listen_unix and dial_unix: the same over a Unix socket at path.
CBRIDGE_EXPORT std::pair<Listener, std::error_code> listen_unix(const std::string& path, int backlog = 512);
CBRIDGE_EXPORT std::pair<Conn, std::error_code> dial_unix(const std::string& path);
// Pipe is what pipe() returns.
struct Pipe {
  File reader;          // the read end
  File writer;          // the write end
  std::error_code err;  // why pipe() failed (both ends empty then)
};
// pipe returns the read end and the write end of a new pipe, both
// registered with the netpoller.
CBRIDGE_EXPORT Pipe pipe();

// WaitMode is what wait_fd waits for: readable or writable.
enum class WaitMode { Read = 1, Write = 2 };
// wait_fd parks until fd (owned by the caller, e.g. a C library) is ready,
// or the timeout (< 0: none) passes (timed_out). One waiter per fd at a
// time: fd is registered with the poller for the wait's duration, so a
// second wait_fd on it while one waits, in either mode, or a wait on the
// fd of a File, fails at once with EEXIST (file_exists) and leaves the
// first waiter as it was. A read wait on an fd the poller reports only an
// error for returns io_error. Starts the runtime if nothing has; ESHUTDOWN
// after cbridge::shutdown() (a thread waiting then wakes with it).
CBRIDGE_EXPORT std::error_code wait_fd(int fd, WaitMode mode, std::chrono::nanoseconds timeout);

}  // namespace cbridge::net
