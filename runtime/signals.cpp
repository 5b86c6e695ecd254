// SPDX-License-Identifier: MIT
#include "runtime/signals.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "runtime/fatal.hpp"
#include "runtime/lockheld.hpp"

namespace cbridge::rt {

namespace {

// The handlers we replaced, written once by initsig before ours can run.
struct sigaction oldSegv;
struct sigaction oldBus;

void chain(int sig, siginfo_t* info, void* uctx) {
  const struct sigaction& old = sig == SIGBUS ? oldBus : oldSegv;
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

void sighandler(int sig, siginfo_t* info, void* uctx) {
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
  inHandler.leave();  // the host's handler is not the runtime's
  chain(sig, info, uctx);
}

void install(int sig, struct sigaction* old) {
  struct sigaction sa {};
  sa.sa_sigaction = sighandler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, old) != 0) fatal("sigaction(%d) failed: %s", sig, strerror(errno));
}

}  // namespace

void initsig() {
  install(SIGSEGV, &oldSegv);
  install(SIGBUS, &oldBus);
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

}  // namespace cbridge::rt
