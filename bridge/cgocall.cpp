// SPDX-License-Identifier: MIT
// cgocall: the one way managed code runs foreign code (Go's cgocall and
// asmcgocall, cgocall.go).
//
// The protocol, in order, on the task's own M:
//  1. entersyscall: the task is in syscall state and its P is in
//     PStatus::Syscall, free for sysmon to retake after 20 µs (retake) and
//     hand to another M, so a long call does not stall the scheduler.
//  2. preemptExtEnter: the M takes its preemptExtLock (kExtForeign). After
//     entersyscall, as Go does: if a preemptor holds the lock, its signal
//     is on its way to this thread, and we wait for the handler to run
//     here (never in the foreign code) while sysmon may take the P.
//     From here until step 4 no preemptor signals this thread: its CAS
//     fails and the attempt is refused. Foreign code never sees EINTR,
//     a short sleep or a handler of the runtime's.
//  3. The call, on g0's stack (runOnStack), below g0's saved context; the
//     task's stack below its frames is where a nested callback starts.
//  4. preemptExtExit, then exitsyscall: the P back (or another, or the
//     global queue and a parked M when none is free; the task may resume on
//     another M). No lock of the runtime is held across the call: exit()
//     inside it runs the exit path (freeze.cpp) with nothing to wait for.
//  5. The return is a runtime entry: a preemption requested meanwhile is
//     honoured (checkPreempt) before managed code goes on.
#include <cerrno>

#include "bridge/stack_switch.hpp"
#include "callbacks/forced_unwind.hpp"
#include "cbridge/call.hpp"
#include "runtime/context.hpp"
#include "runtime/fatal.hpp"
#include "runtime/preempt.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/syscall.hpp"
#include "runtime/timerfunc.hpp"
#include "runtime/trace.hpp"
#include "stackbounds/stackbounds.hpp"

namespace cbridge::detail {

namespace {

struct CallFrame {
  void (*fn)(void*);
  void* arg;
  rt::M* m;
  int savedErrno;
};

// callForeign is the foreign call itself. A C++ exception must not leave
// it (call.hpp: fn must not throw): it would unwind into frames the call
// does not return to, with the M in syscall state and its
// preemptExtLock held: on Linux the task's (asmcgocall's CFI leads
// there), on Windows those g0 stopped in (where the search for handlers
// goes on, asmcgocall_amd64_win64.S). So it ends here, as a fatal error
// naming what happened; Go has no such case to name, C having no
// exceptions. glibc's forced unwind of a thread ending in the call
// (pthread_exit) goes on as it did. A fault is no C++ exception, on
// Windows either (GCC's handlers take only GCC's): it passes.
CBRIDGE_CATCHES_FORCED_UNWIND void callForeign(void (*fn)(void*), void* arg) {
  try {
    fn(arg);
  } catch (abi::__forced_unwind&) {
    throw;
  } catch (...) {
    rt::fatal(
        "C++ exception thrown out of a foreign call (a function called through cbridge must catch "
        "what it throws: it cannot unwind into the task that called it)");
  }
}

// onG0 is what runs on g0's stack: the call, then errno saved on the
// thread that ran it (the task may resume on another thread, with its
// own errno). Below inuse the task's stack is free until the call
// returns: a callback nested in it starts there (Go's syscallsp), set
// only now, after the switch, so that no call made on the task's stack
// can have written over it (see stack_switch.hpp), and cleared as soon as
// the foreign function returns: a callback arriving while syscallsp is 0
// re-entered the runtime mid-switch (from a signal handler), which
// cgocallback refuses.
void onG0(void* p, uintptr_t inuse) {
  auto* f = static_cast<CallFrame*>(p);
  rt::G* gp = f->m->curg;
  gp->syscallsp = inuse & ~uintptr_t(15);
  rt::asanFinishSwitch(f->m->g0asanFakeStack, nullptr, nullptr);
  callForeign(f->fn, f->arg);
  f->savedErrno = errno;
  gp->syscallsp = 0;
  rt::asanStartSwitch(&f->m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                      gp->stack->size());
}

}  // namespace

void cgocall(void (*fn)(void*), void* arg) {
  rt::M* m = rt::getm();
  rt::G* gp = m != nullptr ? m->curg : nullptr;
  if (gp == nullptr) {
    // A plain thread, or g0: there is no task to park and no P to hand
    // off, and we are already on a system stack.
    fn(arg);
    return;
  }
  CallFrame f{fn, arg, m, 0};
  // A runner running a timer function leaves the timer queue to another
  // runner for the length of the call, as when the function parks (see
  // timerfunc.cpp): the call may last. The mark is off meanwhile, so that
  // a nested callback parking on this task does not count twice.
  bool timerFunc = gp->timerFunc;
  if (timerFunc) {
    gp->timerFunc = false;
    rt::timerfuncParking();
  }
  m->ncgo++;
  rt::traceForeignEnter(m, gp, fn);
  rt::entersyscall(m);
  // After entersyscall, as Go does: entering may wait for a preemption in
  // progress, and sysmon may take our P meanwhile.
  rt::preemptExtEnter(m);
  // Run on g0's stack below its saved context: g0 is suspended while one
  // of its tasks runs, the context (saved by jump_fcontext, or made by a
  // callback's cbRun) is the lowest thing live there, and nothing runs on
  // g0's stack but us until we switch back. No gap is needed below it:
  // whatever the call does (lazy binding, signal frames) happens below
  // our stack pointer.
  uintptr_t sp = reinterpret_cast<uintptr_t>(m->g0ctx) & ~uintptr_t(15);
  rt::asanStartSwitch(&gp->asanFakeStack, reinterpret_cast<void*>(m->g0lo), m->g0hi - m->g0lo);
  stackbounds::checkG0(m, sp);
  bridge::runOnStack(onG0, &f, sp, m->g0lo, m->g0lo, m->g0ctx);
  rt::asanFinishSwitch(gp->asanFakeStack, nullptr, nullptr);
  rt::preemptExtExit(m);
  m->ncgo--;
  rt::traceForeignExit(m, gp);
  rt::exitsyscall(m);  // may move us to another M
  if (timerFunc) {
    rt::timerfuncResumed();
    gp->timerFunc = true;
  }
  // The return of a foreign call is a runtime entry: a request to stop
  // that came while the task ran C is honoured here.
  rt::checkPreempt();
  errno = f.savedErrno;
}

}  // namespace cbridge::detail
