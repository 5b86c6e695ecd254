// SPDX-License-Identifier: MIT
// cbridge::net's calls on Windows (net_file.hpp has the portable part),
// as Go's internal/poll fd_windows.go makes them: sockets are associated
// with the netpoller's I/O completion port (netpoll_iocp.cpp), and each
// operation starts an overlapped call (WSARecv, WSASend, AcceptEx,
// ConnectEx) and, unless it completed at once, parks on the pollDesc in
// its direction until the port delivers its completion (execIO).
//
// The OVERLAPPED lives in execIO's frame, so execIO never returns while
// the call may still complete: when the wait ends without the completion
// (a deadline passed, the file is closing), it cancels the call
// (CancelIoEx) and waits for the completion anyway, cancelled or not
// (pollwaitcanceled); a call that completed before its cancellation keeps
// its result, as in Go. After cbridge::shutdown() no poller delivers it,
// and the thread polls the OVERLAPPED itself until the cancellation lands.
//
// What a user of Go on Windows would expect, and how it differs from
// Linux:
//   - File::fd() and File::adopt take a SOCKET (or, for adopt, a HANDLE
//     opened without FILE_FLAG_OVERLAPPED) as an int: 64-bit Windows keeps
//     handle values within 32 bits for 32-bit interop. An adopted socket
//     the port refuses (associated with the host's own port) fails with
//     file_exists; a HANDLE is not pollable, and its calls run as foreign
//     calls (ReadFile, WriteFile in syscall state), as pipe()'s ends do:
//     anonymous pipes cannot be overlapped (Go's os.Pipe is the same).
//   - wait_fd(fd) waits on a socket the caller owns with WSAPoll, as a
//     foreign call: the M blocks and sysmon hands its P on. Associating the
//     socket with our port instead would be for its whole life, and its
//     owner's own overlapped calls would then complete to us.
//   - Errors are errno values where POSIX has one (connection_refused,
//     connection_reset, timed_out...: equal to std::errc), else the
//     Windows code in the category "windows"; after shutdown,
//     WSAESHUTDOWN.
//   - listen_unix/dial_unix use AF_UNIX (afunix.h, Windows 10 1803 and
//     later); connect is a foreign call, since ConnectEx is TCP's only
//     (Go's canUseConnectEx).
//
// The batched socket calls (iobatch.hpp) are io_uring's, so there are
// none here: no P ever has a call queued, the scheduler's flush
// (iobatchFlush) has nothing to submit, and stats() reports the batch
// "off".
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <mswsock.h>
#include <windows.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include "cbridge/call.hpp"
#include "cbridge/net.hpp"
#include "runtime/fatal.hpp"
#include "runtime/iobatch.hpp"
#include "runtime/net_file.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/netpoll_iocp.hpp"
#include "runtime/preempt.hpp"
#include "runtime/timers.hpp"

namespace cbridge::net {

namespace detail {


namespace {

// The errnos Windows' C library has no text for (its strerror knows the
// classic ones only), named; equal to std::errc as the generic category.
class ErrnoCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "cbridge.net"; }
  std::string message(int e) const override {
    switch (e) {
      case ECONNREFUSED: return "connection refused";
      case ECONNRESET: return "connection reset by peer";
      case ECONNABORTED: return "connection aborted";
      case ETIMEDOUT: return "connection timed out";
      case EADDRINUSE: return "address in use";
      case EADDRNOTAVAIL: return "address not available";
      case EAFNOSUPPORT: return "address family not supported (AF_UNIX needs Windows 10 1803 or later)";
      case EHOSTUNREACH: return "host unreachable";
      case ENETUNREACH: return "network unreachable";
      case ENOTCONN: return "socket not connected";
      case ENOTSOCK: return "not a socket";
      case ENOBUFS: return "no buffer space available";
      default: return std::generic_category().message(e);
    }
  }
  std::error_condition default_error_condition(int e) const noexcept override {
    return {e, std::generic_category()};
  }
};

// Windows' own error codes, with FormatMessage's text (libstdc++'s
// system_category has none for them on mingw).
class WindowsCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "windows"; }
  std::string message(int e) const override {
    char buf[256];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, DWORD(e), 0,
                             buf, sizeof buf, nullptr);
    while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n' || buf[n - 1] == '.')) n--;
    return n > 0 ? std::string(buf, n) : "Windows error " + std::to_string(e);
  }
};

}  // namespace

std::error_code windowsErr(DWORD e) {
  static const WindowsCategory category;
  return {int(e), category};
}

std::error_code sysErr(int e) {
  static const ErrnoCategory category;
  return {e, category};
}

std::error_code shutdownErr() { return windowsErr(WSAESHUTDOWN); }

std::error_code closeFd(int fd, bool socket) {
  auto h = uintptr_t(unsigned(fd));
  bool ok = socket ? closesocket(SOCKET(h)) == 0 : CloseHandle(reinterpret_cast<HANDLE>(h)) != 0;
  return ok ? std::error_code() : windowsErr(GetLastError());
}

}  // namespace detail

namespace {

using detail::closedErr;
using detail::FileAccess;
using detail::FileImpl;
using detail::OpGuard;
using detail::shutdownErr;
using detail::started;
using detail::sysErr;

SOCKET sock(const FileImpl* f) { return SOCKET(uintptr_t(unsigned(f->fd))); }
HANDLE handle(const FileImpl* f) { return reinterpret_cast<HANDLE>(uintptr_t(unsigned(f->fd))); }

// winErr is a Windows or Winsock error as the errno a POSIX caller would
// get, where there is one.
std::error_code winErr(DWORD e) {
  switch (e) {
    case WSAECONNREFUSED:
    case ERROR_CONNECTION_REFUSED: return sysErr(ECONNREFUSED);
    case WSAECONNRESET:
    case WSAENETRESET:
    case ERROR_NETNAME_DELETED: return sysErr(ECONNRESET);
    case WSAECONNABORTED:
    case ERROR_CONNECTION_ABORTED: return sysErr(ECONNABORTED);
    case WSAESHUTDOWN:
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA: return sysErr(EPIPE);
    case WSAETIMEDOUT:
    case ERROR_SEM_TIMEOUT: return sysErr(ETIMEDOUT);
    case WSAEADDRINUSE: return sysErr(EADDRINUSE);
    case WSAEADDRNOTAVAIL: return sysErr(EADDRNOTAVAIL);
    case WSAEAFNOSUPPORT: return sysErr(EAFNOSUPPORT);
    case WSAEHOSTUNREACH: return sysErr(EHOSTUNREACH);
    case WSAENETUNREACH: return sysErr(ENETUNREACH);
    case WSAENOTCONN: return sysErr(ENOTCONN);
    case WSAENOTSOCK: return sysErr(ENOTSOCK);
    case WSAEINVAL: return sysErr(EINVAL);
    case WSAEMFILE: return sysErr(EMFILE);
    case WSAENOBUFS: return sysErr(ENOBUFS);
    case WSAEACCES: return sysErr(EACCES);
    default: return detail::windowsErr(e);
  }
}

std::error_code lastWsaErr() { return winErr(DWORD(WSAGetLastError())); }

// wsaStartup starts Winsock once per process (never cleaned up: sockets
// may outlive any point we could pick).
bool wsaStartup() {
  static const int rc = [] {
    WSADATA d;
    return WSAStartup(MAKEWORD(2, 2), &d);
  }();
  return rc == 0;
}

// The Winsock extensions AcceptEx and ConnectEx are looked up through a
// socket (they may belong to a layered provider); once, as Go does.
LPFN_ACCEPTEX acceptEx = nullptr;
LPFN_CONNECTEX connectEx = nullptr;

void loadExtensions(SOCKET s) {
  static std::once_flag once;
  std::call_once(once, [s] {
    GUID ga = WSAID_ACCEPTEX, gc = WSAID_CONNECTEX;
    DWORD n = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &ga, sizeof ga, &acceptEx, sizeof acceptEx, &n,
                 nullptr, nullptr) != 0 ||
        WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &gc, sizeof gc, &connectEx, sizeof connectEx, &n,
                 nullptr, nullptr) != 0)
      rt::fatal("cbridge::net: Winsock has no AcceptEx or ConnectEx (error %d)", WSAGetLastError());
  });
}

// Start starts one overlapped call with ov; 0 if it completed at once,
// else the Winsock error (WSA_IO_PENDING: it will complete).
template <class Start>
std::pair<DWORD, std::error_code> execIO(FileImpl* f, char mode, Start start) {
  rt::IocpOp op;
  op.key = rt::polltag(f->pd, f->seq);
  op.mode = mode;
  if (std::error_code e = detail::pollError(rt::pollprepare(f->pd, mode), "a File operation"))
    return {0, e};
  int r = start(&op.ov);
  if (r != 0 && r != WSA_IO_PENDING) return {0, winErr(DWORD(r))};
  rt::PollResult why = rt::PollResult::Ready;
  if (r != 0 || !f->skipSync) {
    why = rt::pollwait(f->pd, mode);
    if (why != rt::PollResult::Ready) {
      CancelIoEx(handle(f), &op.ov);
      if (rt::pollwaitcanceled(f->pd, mode) == rt::PollResult::Shutdown)
        while (!HasOverlappedIoCompleted(&op.ov)) Sleep(1);
    }
  }
  DWORD qty = 0, flags = 0;
  if (!WSAGetOverlappedResult(sock(f), &op.ov, &qty, FALSE, &flags)) {
    DWORD e = DWORD(WSAGetLastError());
    if (why != rt::PollResult::Ready && (e == WSA_OPERATION_ABORTED || e == ERROR_OPERATION_ABORTED))
      return {0, detail::pollError(why, "a File operation")};
    return {0, winErr(e)};
  }
  return {qty, {}};
}

// The calls of a File the port does not serve, as foreign calls: they
// block their thread, and sysmon hands the P on.
int64_t blockingRead(FileImpl* f, void* buf, DWORD n) {
  if (f->socket) {
    int r = recv(sock(f), static_cast<char*>(buf), int(n), 0);
    return r >= 0 ? r : -int64_t(WSAGetLastError());
  }
  DWORD got = 0;
  if (ReadFile(handle(f), buf, n, &got, nullptr)) return got;
  DWORD e = GetLastError();
  return e == ERROR_BROKEN_PIPE ? 0 : -int64_t(e);  // the write end closed: EOF
}

int64_t blockingWrite(FileImpl* f, const void* buf, DWORD n) {
  if (f->socket) {
    int r = send(sock(f), static_cast<const char*>(buf), int(n), 0);
    return r >= 0 ? r : -int64_t(WSAGetLastError());
  }
  DWORD put = 0;
  if (WriteFile(handle(f), buf, n, &put, nullptr)) return put;
  return -int64_t(GetLastError());
}

// One call moves at most this much (Go's maxRW): WSABUF's length is 32 bits.
constexpr size_t kMaxRW = 1 << 30;

}  // namespace

std::pair<File, std::error_code> File::adopt(int fd) {
  if (fd < 0) return {File(), closedErr()};
  if (!started("cbridge::net::File::adopt")) return {File(), shutdownErr()};
  if (!wsaStartup()) return {File(), lastWsaErr()};
  auto impl = std::make_shared<FileImpl>();
  impl->fd = fd;
  int type = 0, len = sizeof type;
  impl->socket = getsockopt(sock(impl.get()), SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &len) == 0;
  if (impl->socket) {
    impl->pd = rt::pollopen(fd);
    if (impl->pd != nullptr) {
      impl->seq = rt::pollseq(impl->pd);
      impl->skipSync = SetFileCompletionNotificationModes(
          handle(impl.get()), FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE);
    } else if (errno != EPERM) {
      impl->closed = true;  // the caller keeps its socket
      return {File(), sysErr(errno)};
    }
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
  if (f->closed.load(std::memory_order_acquire)) return {0, closedErr()};
  // A zero-byte overlapped receive would wait for data: read(2) does not.
  if (n == 0) return {0, {}};
  DWORD want = DWORD(std::min(n, kMaxRW));
  if (f->pd == nullptr) {
    int64_t r = cbridge::call(blockingRead, f, buf, want);
    return r >= 0 ? IoResult{size_t(r), {}} : IoResult{0, winErr(DWORD(-r))};
  }
  auto [got, e] = execIO(f, 'r', [&](OVERLAPPED* ov) {
    WSABUF b{want, static_cast<char*>(buf)};
    DWORD flags = 0;
    return WSARecv(sock(f), &b, 1, nullptr, &flags, ov, nullptr) == 0 ? 0 : WSAGetLastError();
  });
  return {got, e};
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
    char* p = const_cast<char*>(static_cast<const char*>(buf)) + done;
    DWORD want = DWORD(std::min(n - done, kMaxRW));
    if (f->pd == nullptr) {
      int64_t w = cbridge::call(blockingWrite, f, static_cast<const void*>(p), want);
      if (w < 0) return {done, winErr(DWORD(-w))};
      done += size_t(w);
      continue;
    }
    auto [put, e] = execIO(f, 'w', [&](OVERLAPPED* ov) {
      WSABUF b{want, p};
      return WSASend(sock(f), &b, 1, nullptr, 0, ov, nullptr) == 0 ? 0 : WSAGetLastError();
    });
    done += put;
    if (e) return {done, e};
  }
  return {done, {}};
}

std::error_code File::shutdown(int how) {
  if (!impl_ || impl_->closed) return closedErr();
  if (!impl_->socket) return sysErr(ENOTSOCK);
  return ::shutdown(sock(impl_.get()), how) == 0 ? std::error_code() : lastWsaErr();
}

std::pair<Conn, std::error_code> Listener::accept() {
  rt::checkPreempt();
  if (!file_) return {Conn(), closedErr()};
  FileImpl* f = FileAccess::impl(file_);
  OpGuard g(f);
  std::lock_guard<cbridge::Mutex> one(f->rmu);
  WSAPROTOCOL_INFOW info;
  int len = sizeof info;
  if (getsockopt(sock(f), SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &len) != 0)
    return {Conn(), lastWsaErr()};
  loadExtensions(sock(f));
  for (;;) {
    if (f->closed.load(std::memory_order_acquire)) return {Conn(), closedErr()};
    SOCKET c = WSASocketW(info.iAddressFamily, info.iSocketType, info.iProtocol, nullptr, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (c == INVALID_SOCKET) return {Conn(), lastWsaErr()};
    // AcceptEx writes both addresses, each with 16 bytes to spare.
    char addrs[2 * (sizeof(sockaddr_storage) + 16)];
    auto [n, e] = execIO(f, 'r', [&](OVERLAPPED* ov) {
      DWORD got = 0;
      return acceptEx(sock(f), c, addrs, 0, sizeof(sockaddr_storage) + 16, sizeof(sockaddr_storage) + 16,
                      &got, ov)
                 ? 0
                 : WSAGetLastError();
    });
    (void)n;
    // As Go's acceptOne: a connection reset before it was accepted is
    // skipped, not the listener's failure.
    if (e == std::errc::connection_reset) {
      closesocket(c);
      continue;
    }
    if (!e) {
      SOCKET l = sock(f);
      if (setsockopt(c, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<char*>(&l), sizeof l) != 0)
        e = lastWsaErr();
    }
    if (e) {
      closesocket(c);
      return {Conn(), e};
    }
    auto [conn, err] = File::adopt(int(c));
    if (err) closesocket(c);
    return {conn, err};
  }
}

uint16_t Listener::port() const {
  sockaddr_in a{};
  int len = sizeof a;
  if (getsockname(SOCKET(uintptr_t(unsigned(file_.fd()))), reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
      a.sin_family != AF_INET)
    return 0;
  return ntohs(a.sin_port);
}

namespace {

// newSocket makes an overlapped stream socket and adopts it; the File
// owns the socket from then on.
std::pair<File, std::error_code> newSocket(int domain) {
  if (!started("cbridge::net")) return {File(), shutdownErr()};
  if (!wsaStartup()) return {File(), lastWsaErr()};
  SOCKET s = WSASocketW(domain, SOCK_STREAM, domain == AF_INET ? IPPROTO_TCP : 0, nullptr, 0,
                        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return {File(), lastWsaErr()};
  auto [f, err] = File::adopt(int(s));
  if (err) closesocket(s);
  return {f, err};
}

std::pair<Listener, std::error_code> listenOn(int domain, const sockaddr* addr, int len, int backlog) {
  auto [f, err] = newSocket(domain);
  if (err) return {Listener(), err};
  SOCKET s = SOCKET(uintptr_t(unsigned(f.fd())));
  // No SO_REUSEADDR: on Windows it lets another socket take a port in use
  // (Go does not set it there either).
  if (bind(s, addr, len) != 0 || ::listen(s, backlog) != 0) {
    std::error_code e = lastWsaErr();
    f.close();
    return {Listener(), e};
  }
  Listener l;
  FileAccess::file(l) = f;
  return {l, {}};
}

int connectBlocking(SOCKET s, const sockaddr* addr, int len) {
  return ::connect(s, addr, len) == 0 ? 0 : WSAGetLastError();
}

std::pair<Conn, std::error_code> connectTo(int domain, const sockaddr* addr, int len,
                                           std::chrono::nanoseconds timeout) {
  auto [f, err] = newSocket(domain);
  if (err) return {Conn(), err};
  FileImpl* fi = FileAccess::impl(f);
  SOCKET s = sock(fi);
  std::error_code e;
  if (domain != AF_INET || fi->pd == nullptr) {
    // ConnectEx is TCP's only (Go's canUseConnectEx): a foreign call.
    if (int r = cbridge::call(connectBlocking, s, addr, len)) e = winErr(DWORD(r));
  } else {
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<char*>(&one), sizeof one);
    // ConnectEx wants a bound socket.
    sockaddr_in any{};
    any.sin_family = AF_INET;
    if (bind(s, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0) e = lastWsaErr();
    if (!e && timeout.count() > 0) {
      // Saturated: now + nanoseconds::max() would wrap into the past.
      auto now = std::chrono::steady_clock::now();
      bool never = timeout > Deadline::max() - now;
      f.set_write_deadline(never ? Deadline::max() : now + timeout);
    }
    if (!e) {
      loadExtensions(s);
      OpGuard g(fi);
      std::lock_guard<cbridge::Mutex> one(fi->wmu);
      e = execIO(fi, 'w', [&](OVERLAPPED* ov) {
            return connectEx(s, addr, len, nullptr, 0, nullptr, ov) ? 0 : WSAGetLastError();
          }).second;
    }
    if (!e && setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) != 0) e = lastWsaErr();
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

std::pair<Listener, std::error_code> listen_tcp(const std::string& host, uint16_t port, int backlog) {
  rt::checkPreempt();
  if (!wsaStartup()) return {Listener(), lastWsaErr()};
  sockaddr_in a;
  if (!ipv4(host, port, &a)) return {Listener(), std::make_error_code(std::errc::invalid_argument)};
  return listenOn(AF_INET, reinterpret_cast<sockaddr*>(&a), sizeof a, backlog);
}

// Windows picks an ephemeral port that is not the destination's, so the
// self-connection Linux's dial_tcp retries (net_unix.cpp) does not happen.
std::pair<Conn, std::error_code> dial_tcp(const std::string& host, uint16_t port,
                                          std::chrono::nanoseconds timeout) {
  rt::checkPreempt();
  if (!wsaStartup()) return {Conn(), lastWsaErr()};
  sockaddr_in a;
  if (!ipv4(host, port, &a)) return {Conn(), std::make_error_code(std::errc::invalid_argument)};
  return connectTo(AF_INET, reinterpret_cast<sockaddr*>(&a), sizeof a, timeout);
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
  if (!started("cbridge::net::pipe")) return {File(), File(), shutdownErr()};
  HANDLE r = nullptr, w = nullptr;
  if (!CreatePipe(&r, &w, nullptr, 0)) return {File(), File(), winErr(GetLastError())};
  auto [rf, e1] = File::adopt(int(reinterpret_cast<uintptr_t>(r)));
  auto [wf, e2] = File::adopt(int(reinterpret_cast<uintptr_t>(w)));
  if (e1 || e2) {
    CloseHandle(r);
    CloseHandle(w);
    return {File(), File(), e1 ? e1 : e2};
  }
  return {rf, wf, {}};
}

namespace {

// wsaPoll is WSAPoll on one socket: 1 ready, 0 timed out, < 0 the error.
int wsaPoll(SOCKET s, short events, int ms, short* revents) {
  WSAPOLLFD p{s, events, 0};
  int r = WSAPoll(&p, 1, ms);
  *revents = p.revents;
  return r >= 0 ? r : -WSAGetLastError();
}

}  // namespace

std::error_code wait_fd(int fd, WaitMode mode, std::chrono::nanoseconds timeout) {
  rt::checkPreempt();
  if (!started("wait_fd")) return shutdownErr();
  if (!wsaStartup()) return lastWsaErr();
  // Rounded up to whole milliseconds, at most INT_MAX: WSAPoll's unit.
  int ms = -1;
  if (timeout.count() >= 0)
    ms = int(std::min<int64_t>((timeout.count() + 999999) / 1000000, INT_MAX));
  short want = mode == WaitMode::Read ? POLLRDNORM : POLLWRNORM;
  short got = 0;
  int r = cbridge::call(wsaPoll, SOCKET(uintptr_t(unsigned(fd))), want, ms, &got);
  if (r < 0) return winErr(DWORD(-r));
  if (r == 0) return detail::timeoutErr();
  if (got & POLLNVAL) return sysErr(EBADF);
  // As on Linux: a read wait the poller reports only an error for fails.
  if (mode == WaitMode::Read && (got & (want | POLLHUP)) == 0 && (got & POLLERR)) return sysErr(EIO);
  return {};
}

}  // namespace cbridge::net

namespace cbridge::rt {

void iobatchFlush(P*) {}

IobatchStats iobatchstats() { return {"off", 0, 0}; }

}  // namespace cbridge::rt
