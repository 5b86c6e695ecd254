// SPDX-License-Identifier: MIT
// faultReport (signals.hpp): which faults are the runtime's, for each OS's
// handler (signal_unix.cpp's SIGSEGV/SIGBUS/SIGFPE handler,
// signal_windows.cpp's vectored exception handler).
#include "runtime/fatal.hpp"
#include "runtime/signals.hpp"
#include "runtime/stack.hpp"

// Addresses are printed as unsigned long long: long is 32 bits on Win64
// (LLP64), where it cut their top half off.
namespace cbridge::rt {

namespace {

// systemStackOverflow says whether a fault at addr on m's thread is the
// overflow of its system stack (g0), where foreign calls run: addr lies in
// the kG0GuardSize below g0's bottom. Only for bounds that are the
// thread's real stack: a runtime M's own stack, whose guard newm made
// that big, or a foreign thread's stack when its bounds are exact (then
// what lies below is its guard, or for Linux's main thread the kernel's
// stack gap past RLIMIT_STACK). An estimate around a callback's sp says
// nothing about where the stack ends.
bool systemStackOverflow(M* m, uintptr_t addr) {
  if (m->g0lo == 0 || (m->isextra && !m->g0StackAccurate)) return false;
  return addr < m->g0lo && m->g0lo - addr <= kG0GuardSize;
}

// inManagedCode says whether a fault interrupted gp's own code: gp runs
// on this thread and the stack pointer is on its stack. A foreign call
// runs on the system stack, and a C thread's code on its own: faults
// there are not the runtime's.
bool inManagedCode(G* gp, uintptr_t sp) {
  if (gp == nullptr || gp->stack == nullptr ||
      gp->status.load(std::memory_order_relaxed) != GStatus::Running)
    return false;
  return sp >= gp->stack->lo && sp < gp->stack->hi;
}

}  // namespace

void faultReport(uintptr_t addr, uintptr_t sp, uintptr_t pc, const char* what) {
  M* m = getm();
  G* gp = m != nullptr ? m->curg : nullptr;
  // Anywhere in the guard region, not only its top page: a frame larger
  // than a page built without stack probes first touches the stack far
  // below the old stack pointer.
  if (gp != nullptr && gp->stack != nullptr && gp->stack->inGuard(addr)) {
    fatal("stack overflow in task %llu (stack [%#llx, %#llx])",
          static_cast<unsigned long long>(gp->id), static_cast<unsigned long long>(gp->stack->lo),
          static_cast<unsigned long long>(gp->stack->hi));
  }
  // A foreign call (or the runtime on g0) ran out of the system stack.
  // The handler runs where there is room to say so: the M's alternate
  // signal stack (minitSignals, needm), or on Windows the stack guarantee
  // minitSignals reserved.
  if (m != nullptr && systemStackOverflow(m, addr)) {
    fatal("stack overflow on the system stack of M %lld (stack [%#llx, %#llx), fault at %#llx)",
          static_cast<long long>(m->id), static_cast<unsigned long long>(m->g0lo),
          static_cast<unsigned long long>(m->g0hi), static_cast<unsigned long long>(addr));
  }
  if (inManagedCode(gp, sp)) {
    fatal("unexpected signal: %s at address 0x%llx (pc=0x%llx) in task %llu", what,
          static_cast<unsigned long long>(addr), static_cast<unsigned long long>(pc),
          static_cast<unsigned long long>(gp->id));
  }
}

void faultReportStackOverflow(uintptr_t lo, uintptr_t sp, uintptr_t pc, const char* what) {
  M* m = getm();
  G* gp = m != nullptr ? m->curg : nullptr;
  bool taskStack = gp != nullptr && gp->stack != nullptr && gp->stack->guardlo == lo;
  faultReport(taskStack ? lo : lo - 1, sp, pc, what);
}

}  // namespace cbridge::rt
