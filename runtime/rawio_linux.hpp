// SPDX-License-Identifier: MIT
// Raw I/O system calls for the netpoller's fast path.
//
// libc's read, write, recv, send and epoll_wait are cancellation points:
// each call turns asynchronous cancellation on and off around the system
// call. Tasks are never cancelled (pthread_cancel of an M would strand its
// tasks anyway), and on a loopback round trip the two extra steps cost
// about 4%, so the netpoller and cbridge::net call the kernel directly.
// Each returns what the system call does: -1 with errno on failure.
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

namespace cbridge::rt {

inline ssize_t rawRead(int fd, void* buf, size_t n) { return syscall(SYS_read, fd, buf, n); }

inline ssize_t rawWrite(int fd, const void* buf, size_t n) {
  return syscall(SYS_write, fd, buf, n);
}

inline ssize_t rawRecv(int fd, void* buf, size_t n) {
  return syscall(SYS_recvfrom, fd, buf, n, 0, nullptr, nullptr);
}

// rawSend never raises SIGPIPE: a write to a connection the peer has
// closed fails with EPIPE, as it does in Go.
inline ssize_t rawSend(int fd, const void* buf, size_t n) {
  return syscall(SYS_sendto, fd, buf, n, MSG_NOSIGNAL, nullptr, 0);
}

inline int rawEpollWait(int epfd, epoll_event* evs, int n, int ms) {
  return int(syscall(SYS_epoll_wait, epfd, evs, n, ms));
}

}  // namespace cbridge::rt
