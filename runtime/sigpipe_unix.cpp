// SPDX-License-Identifier: MIT
// sigpipe.hpp on Unix: SIGPIPE blocked on Ms and around writes elsewhere.
#include "runtime/sigpipe.hpp"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <ctime>

#include "runtime/rawio_linux.hpp"

namespace cbridge::rt {

namespace {

// Set once per thread by blockSigpipe; only that thread reads it.
thread_local bool sigpipeBlocked = false;

sigset_t sigpipeSet() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGPIPE);
  return s;
}

// consumeSigpipe takes the SIGPIPE our failed write left pending on this
// thread (it is blocked here, so it was not delivered).
void consumeSigpipe() {
  sigset_t s = sigpipeSet();
  timespec zero{};
  while (sigtimedwait(&s, nullptr, &zero) < 0 && errno == EINTR) {
  }
}

}  // namespace

void blockSigpipe() {
  sigset_t s = sigpipeSet();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
  sigpipeBlocked = true;
}

ssize_t writeNoSigpipe(int fd, const void* buf, size_t n) {
  if (sigpipeBlocked) {
    ssize_t w = rawWrite(fd, buf, n);
    if (w < 0 && errno == EPIPE) {
      consumeSigpipe();
      errno = EPIPE;
    }
    return w;
  }
  sigset_t s = sigpipeSet(), old;
  pthread_sigmask(SIG_BLOCK, &s, &old);
  ssize_t w = rawWrite(fd, buf, n);
  int e = errno;
  if (w < 0 && e == EPIPE) consumeSigpipe();
  if (!sigismember(&old, SIGPIPE)) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = e;
  return w;
}

}  // namespace cbridge::rt
