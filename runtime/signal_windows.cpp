// SPDX-License-Identifier: MIT
// signals.hpp on Windows: a vectored exception handler in place of
// Linux's SIGSEGV/SIGBUS/SIGFPE handler (signal_unix.cpp), as Go's
// exceptionhandler (signal_windows.go) stands in for its sighandler.
//
// Windows calls a vectored handler first, before any frame's SEH handler,
// for every exception on every thread, C++ exceptions included. Ours
// looks only at the faults Linux's handler sees as signals (access
// violations, stack overflows, integer division by zero, illegal or
// privileged instructions, in-page errors) and only to ask faultReport
// whether the fault is the runtime's: a task stack's overflow into its
// guard (see below), an M's system stack's overflow, or a fault in
// managed code. Those
// are fatal errors, reported as on Linux ("unexpected signal: Exception
// 0xc0000005 (access violation) ...", Go's Windows wording, its panics
// say "[signal 0xc0000005 ...]"). Anything else, a fault in foreign code
// above all, goes on to the frames' handlers and the process's unhandled
// exception filter untouched (EXCEPTION_CONTINUE_SEARCH): a C library's
// own __try/__except still sees its faults, as on Linux a fault in a
// foreign call goes to the host's handler or the default action.
//
// Windows dispatches an exception on the faulting thread's own stack;
// there is no alternate stack to give an M. A stack therefore overflows
// as Windows' own thread stacks do: from PAGE_GUARD pages inside the
// stack the TEB describes, which raise STATUS_STACK_OVERFLOW while the
// thread's guarantee is left below, and the handler uses that room to
// switch to a stack kept for the report (overflowStack). For a runtime
// M's system stack minitSignals sets the guarantee
// (SetThreadStackGuarantee); a task stack's guard is built that way
// (sysStackGuard, os_windows.cpp) and its context describes it to the
// TEB with the guard inside (contextStackReservation). Without room, a
// fault cannot be dispatched at all: Wine 8 ends the thread, or the
// process, with no report.
//
// The guarantee is the thread's (TEB GuaranteedStackBytes), not the
// stack's: the context switch carries the TEB's stack bounds but not it,
// as Wine's SwitchToFiber does not. So a task on a runtime M has the M's
// 64 KiB, as big as its guard: its first guard page raises the overflow.
// A task in a callback on a thread the host made has the host's (Windows
// enforces at least two pages), and grows into its guard until that much
// is left.
//
// There is no SIGQUIT: the dump on demand is cbridge_dump and
// cbridge::dump.
#include <windows.h>

#include <atomic>
#include <cstdio>

#include "runtime/context.hpp"
#include "runtime/lockheld.hpp"
#include "runtime/print.hpp"
#include "runtime/signals.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {

// What the runtime reserves past the guard of a runtime M's stack for a
// handler that reports its overflow.
constexpr ULONG kStackGuarantee = 64 * 1024;

const char* exceptionName(DWORD code) {
  switch (code) {
    case EXCEPTION_ACCESS_VIOLATION: return "Exception 0xc0000005 (access violation)";
    case EXCEPTION_STACK_OVERFLOW: return "Exception 0xc00000fd (stack overflow)";
    case EXCEPTION_INT_DIVIDE_BY_ZERO: return "Exception 0xc0000094 (integer divide by zero)";
    case EXCEPTION_INT_OVERFLOW: return "Exception 0xc0000095 (integer overflow)";
    case EXCEPTION_ILLEGAL_INSTRUCTION: return "Exception 0xc000001d (illegal instruction)";
    case EXCEPTION_PRIV_INSTRUCTION: return "Exception 0xc0000096 (privileged instruction)";
    case EXCEPTION_IN_PAGE_ERROR: return "Exception 0xc0000006 (in-page error)";
    default: return nullptr;
  }
}

// A fault as the handler saw it. For a stack overflow (reportOnStack)
// addr is where the overflowed stack's memory begins
// (faultReportStackOverflow's lo).
struct Fault {
  uintptr_t addr, sp, pc;
  const char* what;
};

// The stack a stack overflow is reported on. The handler runs on the
// overflowed stack itself, in what Windows left past its guard page, and
// the report's stack walk does not fit there: Wine kills a thread that
// overflows again while it handles an exception, and the process then
// hangs on its other threads. One report at a time: the first one ends
// the process, and a second overflow meanwhile passes its exception on.
alignas(64) unsigned char overflowStack[128 * 1024];
std::atomic<bool> overflowStackTaken{false};

void reportOnStack(transfer_t t) {
  auto* f = static_cast<Fault*>(t.data);
  faultReportStackOverflow(f->addr, f->sp, f->pc, f->what);
  jump_fcontext(t.fctx, nullptr);  // not the runtime's: back to pass it on
}

void reportOnOverflowStack(Fault* f) {
  if (overflowStackTaken.exchange(true, std::memory_order_acquire)) return;
  fcontext_t c = make_fcontext(overflowStack + sizeof overflowStack, sizeof overflowStack, reportOnStack);
  jump_fcontext(c, f);
  overflowStackTaken.store(false, std::memory_order_release);
}

LONG CALLBACK exceptionHandler(EXCEPTION_POINTERS* ep) {
  const EXCEPTION_RECORD* rec = ep->ExceptionRecord;
  const char* what = exceptionName(rec->ExceptionCode);
  if (what == nullptr) return EXCEPTION_CONTINUE_SEARCH;
  // A fault while the dump walked a stack that changed: back to the walk.
  if (tracebackFault(ep->ContextRecord)) return EXCEPTION_CONTINUE_EXECUTION;
  // The faulting code may hold any Lock: none may be taken here.
  SignalHandlerScope inHandler;
  // An access or in-page fault names the address it touched; the others
  // the instruction.
  uintptr_t addr = reinterpret_cast<uintptr_t>(rec->ExceptionAddress);
  if ((rec->ExceptionCode == EXCEPTION_ACCESS_VIOLATION || rec->ExceptionCode == EXCEPTION_IN_PAGE_ERROR) &&
      rec->NumberParameters >= 2)
    addr = uintptr_t(rec->ExceptionInformation[1]);
  // Windows raises a stack overflow when the running stack reaches its
  // last pages, short of its end, and the stack's memory begins where the
  // TEB says (GetCurrentThreadStackLimits: the thread's own, the fiber's
  // it runs, or a task's): faultReportStackOverflow's lo.
  if (rec->ExceptionCode == EXCEPTION_STACK_OVERFLOW) {
    ULONG_PTR lo = 0, hi = 0;
    GetCurrentThreadStackLimits(&lo, &hi);
    addr = uintptr_t(lo);
  }
  Fault f{addr, uintptr_t(ep->ContextRecord->Rsp), uintptr_t(ep->ContextRecord->Rip), what};
  if (rec->ExceptionCode != EXCEPTION_STACK_OVERFLOW)
    faultReport(f.addr, f.sp, f.pc, f.what);
  else
    reportOnOverflowStack(&f);
  inHandler.leave();
  return EXCEPTION_CONTINUE_SEARCH;
}

}  // namespace

void initsig() {
  tracebackinit();
  // First in the list: before a handler that might act on the fault of a
  // task's code. Never removed: the runtime's threads outlive any point
  // where it could be.
  if (AddVectoredExceptionHandler(1, exceptionHandler) == nullptr)
    std::fprintf(stderr, "cbridge: AddVectoredExceptionHandler failed (error %lu): faults are not reported\n",
                 GetLastError());
}

// Only a runtime M's thread: the guarantee of a thread the host made is
// the host's to choose.
void minitSignals(M* m) {
  if (m->isextra) return;
  ULONG size = kStackGuarantee;
  SetThreadStackGuarantee(&size);
}

void unminitSignals(M*) {}

bool onaltsigstack() { return false; }

}  // namespace cbridge::rt
