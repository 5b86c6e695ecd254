// SPDX-License-Identifier: MIT
// cbridge::net's calls on POSIX (net_file.hpp has the portable part):
// each operation tries the syscall and, on EAGAIN, parks on the fd's
// pollDesc (Go's internal/poll.FD, fd_unix.go).
#include "cbridge/net.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "cbridge/call.hpp"
#include "cbridge/mutex.hpp"
#include "cbridge/task.hpp"
#include "runtime/preempt.hpp"
#include "runtime/fatal.hpp"
#include "runtime/iobatch.hpp"
#include "runtime/net_file.hpp"
#include "runtime/net_internal.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/timers.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/rawio_linux.hpp"
#include "runtime/sigpipe.hpp"
#include "runtime/tsan_io.hpp"

namespace cbridge::net {

namespace detail {

std::atomic<int> testDialToSelf{0};
std::atomic<uint64_t> selfConnects{0};

std::error_code closeFd(int fd, bool) {
  return ::close(fd) == 0 ? std::error_code() : sysErr(errno);
}

std::error_code sysErr(int e) { return {e, std::system_category()}; }

std::error_code shutdownErr() { return sysErr(ESHUTDOWN); }

}  // namespace detail

namespace {

using detail::closedErr;
using detail::FileAccess;
using detail::FileImpl;
using detail::OpGuard;
using detail::shutdownErr;
using detail::started;
using detail::sysErr;
using detail::timeoutErr;
using detail::waitFor;

// recvOnce is one recv on a pollable socket: through the P's I/O batch
// when it takes it, else directly.
ssize_t recvOnce(int fd, void* buf, size_t n) {
  ssize_t r = rt::iobatchRecv(fd, buf, n);
  return r != rt::kNotBatched ? r : rt::rawRecv(fd, buf, n);
}

}  // namespace

std::pair<File, std::error_code> File::adopt(int fd) {
  if (fd < 0) return {File(), closedErr()};
  if (!started("cbridge::net::File::adopt")) return {File(), shutdownErr()};
  auto impl = std::make_shared<FileImpl>();
  impl->fd = fd;
  struct stat st;
  impl->socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  impl->pd = rt::pollopen(fd);
  if (impl->pd != nullptr) impl->seq = rt::pollseq(impl->pd);
  if (impl->pd == nullptr) {
    int e = errno;
    if (e != EPERM) {
      impl->closed = true;  // the caller keeps its fd
      return {File(), sysErr(e)};
    }
    // epoll refuses it (a regular file): blocking calls, as foreign code.
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  File f;
  f.impl_ = std::move(impl);
  return {f, {}};
}

IoResult File::read(void* buf, size_t n) {
  rt::checkPreempt();
  if (!impl_) return {0, closedErr()};
  FileImpl* f = impl_.get();
  OpGuard g(f);
  std::lock_guard<cbridge::Mutex> one(f->rmu);
  for (;;) {
    if (f->closed.load(std::memory_order_acquire)) return {0, closedErr()};
    ssize_t r = f->pd == nullptr ? cbridge::call(::read, f->fd, buf, n)
                : f->socket      ? recvOnce(f->fd, buf, n)
                                 : rt::rawRead(f->fd, buf, n);
    if (r >= 0) {
      rt::tsanIoAcquire();
      return {size_t(r), {}};
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN || f->pd == nullptr) return {0, sysErr(errno)};
    if (std::error_code e = waitFor(f, 'r')) return {0, e};
  }
}

IoResult File::write(const void* buf, size_t n) {
  rt::checkPreempt();
  if (!impl_) return {0, closedErr()};
  FileImpl* f = impl_.get();
  OpGuard g(f);
  std::lock_guard<cbridge::Mutex> one(f->wmu);
  size_t done = 0;
  while (done < n) {
    if (f->closed.load(std::memory_order_acquire)) return {done, closedErr()};
    const char* p = static_cast<const char*>(buf) + done;
    rt::tsanIoRelease();
    // A batched send (iobatch.hpp) had its reader polled for with the
    // rest of its batch.
    ssize_t w = f->pd != nullptr && f->socket ? rt::iobatchSend(f->fd, p, n - done) : rt::kNotBatched;
    bool batched = w != rt::kNotBatched;
    if (!batched)
      w = f->pd == nullptr ? cbridge::call(::write, f->fd, p, n - done)
          : f->socket      ? rt::rawSend(f->fd, p, n - done)
                           : rt::writeNoSigpipe(f->fd, p, n - done);
    if (w >= 0) {
      done += size_t(w);
      if (done == n && f->pd != nullptr && !batched) rt::netpollAfterWrite();
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN || f->pd == nullptr) return {done, sysErr(errno)};
    if (std::error_code e = waitFor(f, 'w')) return {done, e};
  }
  return {done, {}};
}

std::error_code File::shutdown(int how) {
  if (!impl_ || impl_->closed) return closedErr();
  return ::shutdown(impl_->fd, how) == 0 ? std::error_code() : sysErr(errno);
}

std::pair<Conn, std::error_code> Listener::accept() {
  rt::checkPreempt();
  if (!file_) return {Conn(), closedErr()};
  FileImpl* f = FileAccess::impl(file_);
  OpGuard g(f);
  std::lock_guard<cbridge::Mutex> one(f->rmu);
  for (;;) {
    if (f->closed.load(std::memory_order_acquire)) return {Conn(), closedErr()};
    int c = ::accept4(f->fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) return File::adopt(c);
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN) return {Conn(), sysErr(errno)};
    if (std::error_code e = waitFor(f, 'r')) return {Conn(), e};
  }
}

uint16_t Listener::port() const {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(file_.fd(), reinterpret_cast<sockaddr*>(&a), &len) != 0 || a.sin_family != AF_INET)
    return 0;
  return ntohs(a.sin_port);
}

namespace {

std::pair<Listener, std::error_code> listenOn(int domain, const sockaddr* addr, socklen_t len,
                                              int backlog) {
  int s = socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return {Listener(), sysErr(errno)};
  int one = 1;
  if (domain == AF_INET) setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, addr, len) != 0 || ::listen(s, backlog) != 0) {
    int e = errno;
    ::close(s);
    return {Listener(), sysErr(e)};
  }
  auto [f, err] = File::adopt(s);
  if (err) {
    ::close(s);
    return {Listener(), err};
  }
  Listener l;
  FileAccess::file(l) = f;
  return {l, {}};
}

std::pair<Conn, std::error_code> connectTo(int domain, const sockaddr* addr, socklen_t len,
                                           std::chrono::nanoseconds timeout) {
  int s = socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return {Conn(), sysErr(errno)};
  if (domain == AF_INET && detail::testDialToSelf.load(std::memory_order_relaxed) > 0) {
    detail::testDialToSelf.fetch_sub(1, std::memory_order_relaxed);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(s, addr, len);
  }
  auto [f, err] = File::adopt(s);
  if (err) {
    ::close(s);
    return {Conn(), err};
  }
  if (domain == AF_INET) {
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (::connect(s, addr, len) == 0) return {f, {}};
  if (errno != EINPROGRESS) {
    int e = errno;
    f.close();
    return {Conn(), sysErr(e)};
  }
  // Writable means the connection is made or failed: SO_ERROR tells.
  if (timeout.count() > 0) {
    // Saturated: now + nanoseconds::max() would wrap into the past.
    auto now = std::chrono::steady_clock::now();
    bool never = timeout > Deadline::max() - now;
    f.set_write_deadline(never ? Deadline::max() : now + timeout);
  }
  FileImpl* fi = FileAccess::impl(f);
  std::error_code e;
  {
    OpGuard g(fi);
    std::lock_guard<cbridge::Mutex> one(fi->wmu);
    // As Go's netFD.connect: a writable notification may predate the
    // connection (an unconnected socket polls writable), so it is done only
    // when SO_ERROR says so and the peer is known.
    for (;;) {
      if ((e = waitFor(fi, 'w'))) break;
      int soerr = 0;
      socklen_t sl = sizeof soerr;
      getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl);
      if (soerr == EINPROGRESS || soerr == EALREADY || soerr == EINTR) continue;
      if (soerr != 0) {
        e = sysErr(soerr);
        break;
      }
      sockaddr_storage peer{};
      socklen_t pl = sizeof peer;
      if (getpeername(s, reinterpret_cast<sockaddr*>(&peer), &pl) == 0) break;
      if (errno != ENOTCONN) {
        e = sysErr(errno);
        break;
      }
    }
  }
  if (e) {
    f.close();
    return {Conn(), e};
  }
  f.set_write_deadline(Deadline{});
  return {f, {}};
}

bool ipv4(const std::string& host, uint16_t port, sockaddr_in* a) {
  *a = sockaddr_in{};
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  return inet_pton(AF_INET, host.c_str(), &a->sin_addr) == 1;
}

bool unixAddr(const std::string& path, sockaddr_un* a) {
  *a = sockaddr_un{};
  a->sun_family = AF_UNIX;
  if (path.size() >= sizeof a->sun_path) return false;
  std::memcpy(a->sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace

std::pair<Listener, std::error_code> listen_tcp(const std::string& host, uint16_t port,
                                                int backlog) {
  rt::checkPreempt();
  sockaddr_in a;
  if (!ipv4(host, port, &a)) return {Listener(), std::make_error_code(std::errc::invalid_argument)};
  return listenOn(AF_INET, reinterpret_cast<sockaddr*>(&a), sizeof a, backlog);
}

namespace {
// connectedToSelf says whether c's local and remote addresses are equal.
bool connectedToSelf(const Conn& c) {
  sockaddr_in l{}, r{};
  socklen_t ll = sizeof l, rl = sizeof r;
  if (getsockname(c.fd(), reinterpret_cast<sockaddr*>(&l), &ll) != 0 ||
      getpeername(c.fd(), reinterpret_cast<sockaddr*>(&r), &rl) != 0)
    return false;
  return l.sin_port == r.sin_port && l.sin_addr.s_addr == r.sin_addr.s_addr;
}
}  // namespace

std::pair<Conn, std::error_code> dial_tcp(const std::string& host, uint16_t port,
                                          std::chrono::nanoseconds timeout) {
  rt::checkPreempt();
  sockaddr_in a;
  if (!ipv4(host, port, &a)) return {Conn(), std::make_error_code(std::errc::invalid_argument)};
  // As Go's doDialTCP (net/tcpsock_posix.go): Linux picks the ephemeral
  // port without looking at the destination, so a dial to a local port in
  // the ephemeral range with nobody listening can pick that very port and
  // connect to itself (a simultaneous open), or fail with a spurious
  // EADDRNOTAVAIL; both are retried twice. Go then hands out the
  // self-connected socket; we close it and fail as the dial would have
  // with nobody listening (connection_refused): a socket that reads its
  // own writes is never what a caller of dial wants.
  for (int attempt = 0;; attempt++) {
    auto [c, err] = connectTo(AF_INET, reinterpret_cast<sockaddr*>(&a), sizeof a, timeout);
    bool self = !err && connectedToSelf(c);
    if (self) {
      detail::selfConnects.fetch_add(1, std::memory_order_relaxed);
      c.close();
      err = sysErr(ECONNREFUSED);
    }
    if (attempt < 2 && (self || err == std::errc::address_not_available)) continue;
    if (err) return {Conn(), err};
    return {c, {}};
  }
}

std::pair<Listener, std::error_code> listen_unix(const std::string& path, int backlog) {
  rt::checkPreempt();
  sockaddr_un a;
  if (!unixAddr(path, &a)) return {Listener(), std::make_error_code(std::errc::filename_too_long)};
  return listenOn(AF_UNIX, reinterpret_cast<sockaddr*>(&a), sizeof a, backlog);
}

std::pair<Conn, std::error_code> dial_unix(const std::string& path) {
  rt::checkPreempt();
  sockaddr_un a;
  if (!unixAddr(path, &a)) return {Conn(), std::make_error_code(std::errc::filename_too_long)};
  return connectTo(AF_UNIX, reinterpret_cast<sockaddr*>(&a), sizeof a, {});
}

Pipe pipe() {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return {File(), File(), sysErr(errno)};
  auto [r, e1] = File::adopt(fds[0]);
  auto [w, e2] = File::adopt(fds[1]);
  if (e1 || e2) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {File(), File(), e1 ? e1 : e2};
  }
  return {r, w, {}};
}

std::error_code wait_fd(int fd, WaitMode mode, std::chrono::nanoseconds timeout) {
  rt::checkPreempt();
  if (!started("wait_fd")) return shutdownErr();
  // Each wait registers fd for its own duration: a second waiter on the
  // same fd (or a wait on a File's fd) gets EEXIST from epoll, and the
  // registration it collided with stays (pollopen).
  rt::PollDesc* pd = rt::pollopen(fd);
  if (pd == nullptr) return sysErr(errno);
  if (timeout.count() >= 0)
    rt::pollsetdeadline(pd, rt::pollseq(pd), rt::whenAfter(timeout.count() > 0 ? timeout.count() : 1),
                        'b');
  rt::PollResult r = rt::pollwait(pd, mode == WaitMode::Read ? 'r' : 'w');
  rt::polleventclose(pd);
  rt::pollclose(pd);
  switch (r) {
    case rt::PollResult::Ready: return {};
    case rt::PollResult::Timeout: return timeoutErr();
    case rt::PollResult::Error: return sysErr(EIO);
    case rt::PollResult::Shutdown: return started("wait_fd") ? sysErr(EIO) : shutdownErr();
    case rt::PollResult::Closing: break;
  }
  return closedErr();
}

}  // namespace cbridge::net
