// cgocall: the one way managed code runs foreign code (Go's cgocall and
// asmcgocall, cgocall.go).
#include <cerrno>

#include "bridge/stack_switch.hpp"
#include "cbridge/call.hpp"
#include "runtime/context.hpp"
#include "runtime/preempt.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/syscall.hpp"
#include "runtime/timerfunc.hpp"
#include "stackbounds/stackbounds.hpp"

namespace cbridge::detail {

namespace {

struct CallFrame {
  void (*fn)(void*);
  void* arg;
  rt::M* m;
  int savedErrno;
};

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
  f->fn(f->arg);
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
  bridge::runOnStack(onG0, &f, sp, m->g0lo);
  rt::asanFinishSwitch(gp->asanFakeStack, nullptr, nullptr);
  rt::preemptExtExit(m);
  m->ncgo--;
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
