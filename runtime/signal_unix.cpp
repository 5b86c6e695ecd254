// SPDX-License-Identifier: MIT
// signals.hpp on Unix: the SIGSEGV/SIGBUS handler that reports a stack
// overflow, and each M's alternate signal stack (sigaltstack).
#include "runtime/signals.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "runtime/fatal.hpp"
#include "runtime/lockheld.hpp"
#include "runtime/print.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {

// The handlers we replaced, written once by initsig before ours can run.
struct sigaction oldSegv;
struct sigaction oldBus;
struct sigaction oldFpe;

const struct sigaction& oldAction(int sig) {
  if (sig == SIGBUS) return oldBus;
  if (sig == SIGFPE) return oldFpe;
  return oldSegv;
}

void chain(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& old = oldAction(sig);
  if (old.sa_flags & SA_SIGINFO) {
    if (old.sa_sigaction != nullptr) {
      old.sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
    old.sa_handler(sig);
    return;
  }
  // Default action: reinstall it and return; the faulting instruction
  // runs again and the kernel kills the process with the right signal.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
}

const char* signame(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV: segmentation violation";
    case SIGBUS: return "SIGBUS: bus error";
    case SIGFPE: return "SIGFPE: floating-point exception";
  }
  return "signal";
}

void sighandler(int sig, siginfo_t* info, void* uctx) {
  // A fault while the dump walked a stack that moved: back to the walk.
  // First: nothing below may have been done that the jump would skip.
  tracebackFault(uctx);
  // The interrupted code may hold any Lock: none may be taken here.
  SignalHandlerScope inHandler;
  faultReport(reinterpret_cast<uintptr_t>(info->si_addr), sigctxtSP(uctx), sigctxtPC(uctx), signame(sig));
  inHandler.leave();  // the host's handler is not the runtime's
  chain(sig, info, uctx);
}

// sigquit is Go's SIGQUIT: the dump of every task and M, then exit 2.
void sigquit(int, siginfo_t*, void*) {
  SignalHandlerScope inHandler;
  RawWriter w(2);
  w.str("SIGQUIT: quit\n");
  w.flush();
  crash(tracebackLevel(), CrashShows::FailingAndAll);
}

void install(int sig, struct sigaction* old) {
  struct sigaction sa {};
  sa.sa_sigaction = sighandler;
  // SA_NODEFER: the report of a fault walks stacks under a guard, and a
  // fault there must reach this handler again, not kill the process.
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, old) != 0) fatal("sigaction(%d) failed: %s", sig, strerror(errno));
}

// installQuit takes SIGQUIT unless the host has a handler for it (or
// ignores it) already: then the signal stays the host's, which may call
// cbridge_dump from its handler.
void installQuit() {
  struct sigaction cur {};
  if (sigaction(SIGQUIT, nullptr, &cur) != 0) return;
  bool dfl = (cur.sa_flags & SA_SIGINFO) == 0 && cur.sa_handler == SIG_DFL;
  if (!dfl) return;
  struct sigaction sa {};
  sa.sa_sigaction = sigquit;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGQUIT, &sa, nullptr);
}

}  // namespace

void initsig() {
  tracebackinit();
  install(SIGSEGV, &oldSegv);
  install(SIGBUS, &oldBus);
  install(SIGFPE, &oldFpe);
  installQuit();
}

void minitSignals(M* m) {
  stack_t cur{};
  if (sigaltstack(nullptr, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) return;
  // Big enough for the handler's formatting and for a chained handler such
  // as a sanitizer's.
  size_t size = 64 * 1024;
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fatal("out of memory allocating a signal stack");
  stack_t ss{};
  ss.ss_sp = p;
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) fatal("sigaltstack failed: %s", strerror(errno));
  m->altstack = p;
  m->altstackSize = size;
}

void unminitSignals(M* m) {
  if (m->altstack == nullptr) return;
  stack_t ss{};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  munmap(m->altstack, m->altstackSize);
  m->altstack = nullptr;
}

bool onaltsigstack() {
  stack_t ss;
  return sigaltstack(nullptr, &ss) == 0 && (ss.ss_flags & SS_ONSTACK) != 0;
}

}  // namespace cbridge::rt
