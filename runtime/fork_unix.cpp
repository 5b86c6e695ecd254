// SPDX-License-Identifier: MIT
// The fork() child: what the runtime does there. Go's answer is that only
// exec is supported after fork (syscall.forkExec): the child has one
// thread, the copy of the one that forked, and none of the runtime's Ms,
// sysmon or the thread waiting in epoll; run queues hold tasks that no
// thread will run; locks other threads held stay held. Rather than hang,
// every entry into the runtime in the child fails: cbridge_go returns
// CBRIDGE_ERR_SHUTDOWN (go() false), a callback returns a zero result
// without running its handler, start() fails, and a task the child was
// forked in the middle of dies with a fatal error when it would park.
// One line says so, once. exec works as it always does: nothing of the
// runtime runs in between.
#include "runtime/fork.hpp"

#include <pthread.h>

#include "runtime/fatal.hpp"

namespace cbridge::rt {

std::atomic<bool> gForkChild{false};

namespace {
std::atomic<bool> reported{false};

void forkChild() { gForkChild.store(true, std::memory_order_relaxed); }
}  // namespace

bool refuseInForkChildSlow() {
  usererrorOnce(&reported,
                "the runtime cannot be used in a child of fork() (only exec is supported after "
                "fork, as in Go): go() fails, callbacks return a zero result without running");
  return true;
}

void installForkHandlers() {
  if (pthread_atfork(nullptr, nullptr, forkChild) != 0)
    fatal("pthread_atfork failed: cannot guard the runtime against fork()");
}

}  // namespace cbridge::rt
