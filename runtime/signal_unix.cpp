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

// systemStackOverflow says whether a fault at addr on m's thread is the
// overflow of its system stack (g0), where foreign calls run: addr lies in
// the kG0GuardSize below g0's bottom. Only for bounds that are the
// thread's real stack: a runtime M's pthread stack, whose guard newm made
// that big, or a foreign thread's stack when its bounds are exact (then
// what lies below is its pthread guard, or for the main thread the
// kernel's stack gap past RLIMIT_STACK). An estimate around a callback's
// sp says nothing about where the stack ends.
bool systemStackOverflow(M* m, uintptr_t addr) {
  if (m->g0lo == 0 || (m->isextra && !m->g0StackAccurate)) return false;
  return addr < m->g0lo && m->g0lo - addr <= kG0GuardSize;
}

const char* signame(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV: segmentation violation";
    case SIGBUS: return "SIGBUS: bus error";
    case SIGFPE: return "SIGFPE: floating-point exception";
  }
  return "signal";
}

// inManagedCode says whether a fault interrupted gp's own code: gp runs
// on this thread and the stack pointer is on its stack. A foreign call
// runs on the system stack, and a C thread's code on its own: faults
// there are not the runtime's.
bool inManagedCode(G* gp, void* uctx) {
  if (gp == nullptr || gp->stack == nullptr ||
      gp->status.load(std::memory_order_relaxed) != GStatus::Running)
    return false;
  uintptr_t sp = sigctxtSP(uctx);
  return sp >= gp->stack->lo && sp < gp->stack->hi;
}

void sighandler(int sig, siginfo_t* info, void* uctx) {
  // A fault while the dump walked a stack that moved: back to the walk.
  // First: nothing below may have been done that the jump would skip.
  tracebackFault();
  // The interrupted code may hold any Lock: none may be taken here.
  SignalHandlerScope inHandler;
  auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  M* m = getm();
  G* gp = m != nullptr ? m->curg : nullptr;
  // Anywhere in the guard region, not only its top page: a frame larger
  // than a page built without -fstack-clash-protection first touches the
  // stack far below the old stack pointer.
  if (gp != nullptr && gp->stack != nullptr && gp->stack->inGuard(addr)) {
    fatal("stack overflow in task %llu (stack [%#lx, %#lx])",
          static_cast<unsigned long long>(gp->id), static_cast<unsigned long>(gp->stack->lo),
          static_cast<unsigned long>(gp->stack->hi));
  }
  // A foreign call (or the runtime on g0) ran out of the system stack. We
  // run on the alternate signal stack, which every M has (minitSignals,
  // needm), so there is room to say so.
  if (m != nullptr && systemStackOverflow(m, addr)) {
    fatal("stack overflow on the system stack of M %lld (stack [%#lx, %#lx), fault at %#lx)",
          static_cast<long long>(m->id), static_cast<unsigned long>(m->g0lo),
          static_cast<unsigned long>(m->g0hi), static_cast<unsigned long>(addr));
  }
  // A fault in managed code is a crash of the program's own code, as a
  // nil dereference is in Go: report it (Go's "unexpected signal").
  if (inManagedCode(gp, uctx)) {
    fatal("unexpected signal: %s at address 0x%lx (pc=0x%lx) in task %llu", signame(sig),
          static_cast<unsigned long>(addr), static_cast<unsigned long>(sigctxtPC(uctx)),
          static_cast<unsigned long long>(gp->id));
  }
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
