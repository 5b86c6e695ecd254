// SPDX-License-Identifier: MIT
// Asynchronous preemption on x86-64, for every OS (Go's preempt.go
// wantAsyncPreempt/isAsyncSafePoint and asyncPreempt2): the safe-point
// rules, the extended-state layout asyncPreempt saves, and the C++ half of
// asyncPreempt. What differs by OS is how the thread is stopped and its
// context rewritten: a signal on Linux (sigpreempt_linux.cpp, with
// asyncpreempt_amd64_sysv.S), SuspendThread on Windows
// (preempt_windows.cpp, with asyncpreempt_amd64_win64.S).
//
// An async safe point is what Go's isAsyncSafePoint checks, in C terms:
// the thread runs a task (curg Running, on this M, the stack pointer on its
// stack with room for asyncPreempt's frame: not g0, not a foreign call on
// the system stack, not a signal handler's stack), the task is inside a
// cbridge::preemptible region, its P has sysmon's request, the M holds no
// runtime lock, and the PC lies in code registered as interruptible
// (preempt_modules.cpp: never the C runtime, the C++ runtime, the system's
// libraries or cbridge). Anything else leaves the request for the next
// cooperative check.
#include "runtime/asyncpreempt.hpp"

#include <cpuid.h>

#include <cstdlib>
#include <cstring>

#include "runtime/attributes.hpp"
#include "runtime/debugvars.hpp"
#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
#include "runtime/preempt.hpp"
#include "runtime/preempt_modules.hpp"
#include "runtime/proc.hpp"
#include "runtime/trace.hpp"

// The extended-state layout asyncPreempt saves, read by the assembly. Set
// once by initXsave, before any preemptor runs.
extern "C" {
CBRIDGE_HIDDEN uint32_t cbridge_asyncPreemptXsaveSize = 0;
CBRIDGE_HIDDEN uint32_t cbridge_asyncPreemptMaskLo = 0;
CBRIDGE_HIDDEN uint32_t cbridge_asyncPreemptMaskHi = 0;
CBRIDGE_HIDDEN void cbridge_asyncPreempt2();
}

namespace cbridge::rt {

namespace {

// What asyncPreempt needs below the interrupted stack pointer: the SysV
// red zone (Win64 has none: 128 bytes to spare there), its own frame (the
// registers, the extended state aligned to 64, Win64's shadow space) and
// the scheduler's frames while it yields (more in sanitizer builds).
size_t asyncPreemptRoom() {
#if defined(__SANITIZE_ADDRESS__)
  constexpr size_t kYieldFrames = 32 * 1024;
#else
  constexpr size_t kYieldFrames = 12 * 1024;
#endif
  return 128 + 8 + 16 * 8 + cbridge_asyncPreemptXsaveSize + 64 + 32 + kYieldFrames;
}

}  // namespace

namespace {

// initXsave: every state component the OS enabled (XCR0) but AMX's tiles,
// which Linux hands out per thread on request (a task resumed on a thread
// without them would fault), and the size of that area. False without
// XSAVE enabled by the OS.
bool initXsave() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return false;
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  lo &= ~((1u << 17) | (1u << 18));  // XTILECFG, XTILEDATA
  __cpuid_count(0xd, 0, a, b, c, d);
  if (b < 576) return false;
  cbridge_asyncPreemptMaskLo = lo;
  cbridge_asyncPreemptMaskHi = hi;
  cbridge_asyncPreemptXsaveSize = b;
  return true;
}

}  // namespace

bool initAsyncPreempt() {
  const char* s = getenv("CBRIDGE_ASYNCPREEMPT");
  bool off = s != nullptr && strcmp(s, "0") == 0;
  if (s != nullptr && *s != '\0' && !off && strcmp(s, "1") != 0)
    usererror("CBRIDGE_ASYNCPREEMPT=\"%s\" is not 0 or 1; asynchronous preemption stays on", s);
  // CBRIDGE_DEBUG=asyncpreemptoff=1 is the same switch under Go's name.
  if (off || debug.asyncpreemptoff != 0) return false;
  return initXsave();
}

bool wantAsyncPreempt(M* m, uintptr_t pc, uintptr_t sp, uint32_t locks) {
  G* gp = m->curg;
  if (gp == nullptr || gp->m != m || gp->status.load(std::memory_order_relaxed) != GStatus::Running)
    return false;
  if (gp->preemptDepth.load(std::memory_order_relaxed) <= 0) return false;
  // Code of the region may run under a runtime lock: a channel's element
  // copy, compiled into the executable, runs with the channel locked.
  // Stopping the task there would leave the lock held while it waits for
  // a P (Go's m.locks check).
  if (locks != 0) return false;
  P* pp = m->p;
  if (pp == nullptr || !pp->preempt.load(std::memory_order_relaxed)) return false;
  const Stack* st = gp->stack;
  if (st == nullptr || sp > st->hi || sp < st->lo + asyncPreemptRoom()) return false;
  return preemptiblePC(pc);
}

}  // namespace cbridge::rt

// cbridge_asyncPreempt2 runs on the preempted task's stack, called by
// asyncPreempt with every register saved: the task yields to the global
// queue and, when resumed (on any M), returns to asyncPreempt. The error
// state (errno, GetLastError) is the thread's: the task takes its own
// along, for the C code it was stopped in may be about to read it.
extern "C" void cbridge_asyncPreempt2() {
  cbridge::rt::ErrorState saved = cbridge::rt::saveErrorState();
  cbridge::rt::M* m = cbridge::rt::getm();
  if (m->p != nullptr && cbridge::rt::clearPreempt(m->p)) cbridge::rt::countAsyncPreempt();
  cbridge::rt::tracePreempted(m, m->curg, true);
  cbridge::rt::gopreempt();
  cbridge::rt::restoreErrorState(saved);
}
