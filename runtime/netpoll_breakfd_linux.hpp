// SPDX-License-Identifier: MIT
// The break entry's eventfd, which both Linux backends poll (epoll
// level-triggered, io_uring with a multishot poll): netpollBreak writes
// it, a blocking poll that saw it drains it.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "runtime/fatal.hpp"

namespace cbridge::rt {

inline int breakfdOpen() {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) fatal("netpollinit: eventfd failed: %s", strerror(errno));
  return fd;
}

inline void breakfdWrite(int fd) {
  uint64_t one = 1;
  while (write(fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

inline void breakfdDrain(int fd) {
  uint64_t v;
  while (read(fd, &v, sizeof v) > 0) {
  }
}

}  // namespace cbridge::rt
