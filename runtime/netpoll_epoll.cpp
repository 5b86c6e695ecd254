// SPDX-License-Identifier: MIT
// The epoll backend (Go's netpoll_epoll.go): every pollable fd is
// registered edge-triggered for read and write at once, with its tagged
// word as the event's data; the break entry is an eventfd registered with
// PollSource::Break as its data.
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include "runtime/fatal.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/netpoll_backend.hpp"
#include "runtime/netpoll_breakfd_linux.hpp"
#include "runtime/rawio_linux.hpp"

namespace cbridge::rt {

static_assert(kPollIn == EPOLLIN && kPollOut == EPOLLOUT && kPollErr == EPOLLERR && kPollHup == EPOLLHUP &&
                  kPollRdHup == EPOLLRDHUP,
              "epoll reports poll(2)'s bits");

namespace {

// Written once by init, before netpoll.cpp publishes the backend.
int epfd = -1;
int breakfd = -1;

bool epollInit() {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) fatal("netpollinit: epoll_create1 failed: %s", strerror(errno));
  breakfd = breakfdOpen();
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = uint64_t(PollSource::Break);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, breakfd, &ev) != 0)
    fatal("netpollinit: registering the break fd failed: %s", strerror(errno));
  return true;
}

int epollOpen(int fd, uint64_t data) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = data;
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

void epollClose(int fd, uint64_t) { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr); }

int epollPoll(int64_t delay, PollEntry* out, int max) {
  int ms = delay < 0 ? -1 : delay == 0 ? 0 : int(delay >= 1000000000000 ? 1000000 : (delay + 999999) / 1000000);
  epoll_event evs[128];
  int n = rawEpollWait(epfd, evs, max < 128 ? max : 128, ms);
  if (n < 0) {
    if (errno != EINTR) fatal("netpoll: epoll_wait failed: %s", strerror(errno));
    return 0;
  }
  for (int i = 0; i < n; i++) out[i] = {evs[i].data.u64, evs[i].events};
  return n;
}

void epollWake() { breakfdWrite(breakfd); }

void epollDrainBreak() { breakfdDrain(breakfd); }

}  // namespace

const NetpollBackend epollBackend = {
    "epoll", epollInit, epollOpen, epollClose, nullptr, epollPoll, epollWake, epollDrainBreak,
};

}  // namespace cbridge::rt
