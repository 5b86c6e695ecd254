#include "callbacks/cgocallback.hpp"

#include <atomic>

#include "bridge/stack_switch.hpp"
#include "callbacks/extram.hpp"
#include "runtime/context.hpp"
#include "runtime/fatal.hpp"
#include "runtime/fork.hpp"
#include "runtime/preempt.hpp"
#include "runtime/proc.hpp"
#include "runtime/syscall.hpp"
#include "stackbounds/stackbounds.hpp"

namespace cbridge::cb {

namespace {

using rt::G;
using rt::M;

struct CallbackFrame {
  void (*fn)(void*);
  void* arg;
  G* gp;
  M* m;
};

// Bytes left free above where a callback starts on the G's stack.
constexpr uintptr_t kEntryGap = 256;
// Bytes between cgocallback's stack pointer and the context its G parks
// to: room for runOnStack's and asmcgocall's frames (sanitizer builds make
// them larger).
constexpr uintptr_t kParkGap = 2048;

// cbRun runs on the G's stack (Go's cgocallbackg): get a P, run the
// handler, give the P back. It returns to cgocallback on the thread's
// stack, however many times the handler parked meanwhile.
void cbRun(void* p) {
  auto* fr = static_cast<CallbackFrame*>(p);
  M* m = fr->m;  // locked: the same M throughout
  rt::asanFinishSwitch(fr->gp->asanFakeStack, &m->g0stackBottom, &m->g0stackSize);
  rt::exitsyscall(m);
  fr->fn(fr->arg);
  rt::entersyscall(m);
  // The G's ASan fake stack is kept for its next callback: this function
  // still returns through instrumented code on it.
  rt::asanStartSwitch(&fr->gp->asanFakeStack, m->g0stackBottom, m->g0stackSize);
}

// parkLoop is the M's g0 while a callback's G is parked: the context the
// G's mcall switches to, made on the thread's stack below cgocallback's
// frames. It is a scheduler for one G: run the G's park action, then, as
// the M may run nothing else, hand off the P and sleep until the G is
// readied and handed back with a P (Go's stoplockedm). It never returns:
// when the G finishes, cbRun returns straight to cgocallback, abandoning
// this context.
void parkLoop(rt::transfer_t t) {
  auto* gp = static_cast<G*>(t.data);
  M* m = rt::getm();
  for (;;) {
    rt::asanFinishSwitch(m->g0asanFakeStack, nullptr, nullptr);
    gp->ctx = t.fctx;
    m->curg = nullptr;
    G* (*fn)(G*) = m->mcallfn;
    m->mcallfn = nullptr;
    if (fn(gp) != gp) rt::stoplockedm(m);  // gp parked or queued: wait for it
    if (gp->status.load(std::memory_order_relaxed) == rt::GStatus::Runnable)
      gp->status.store(rt::GStatus::Running, std::memory_order_relaxed);
    gp->m = m;
    m->curg = gp;
    rt::asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                        gp->stack->size());
    rt::tsanSwitchTo(&gp->tsanFiber);
    t = rt::jump_fcontext(gp->ctx, gp);
  }
}

}  // namespace

bool cgocallback(void (*fn)(void*), void* arg) {
  uintptr_t sp = bridge::currentSP();
  M* m = rt::getm();
  if (m != nullptr && m->ncgo == 0 && !(m->isextra && m->lockedg == nullptr)) {
    // Managed code called the pointer directly (a task, or the runtime on
    // g0): it is managed code already.
    fn(arg);
    return true;
  }
  if (rt::refuseInForkChild()) return false;  // its line says why (runtime/fork.cpp)
  if (!rt::ensureStarted()) {
    rt::usererror(
        "a callback was called after cbridge::shutdown(); the handler did not run and the "
        "caller gets a zero result");
    return false;
  }
  uintptr_t savedLo = 0, savedHi = 0;
  bool savedAccurate = false;
  if (m == nullptr) {
    m = needm(sp);
  } else {
    m->cacheHits.store(m->cacheHits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    savedLo = m->g0lo;
    savedHi = m->g0hi;
    savedAccurate = m->g0StackAccurate;
    stackbounds::callbackUpdateSystemStack(m, sp, false);
  }
  // shutdown() closed the gate after ensureStarted: refused the same way.
  if (!rt::callbackEnter(m)) {
    if (m->ncgo > 0) {  // nested: the bounds of the frames we return to
      m->g0lo = savedLo;
      m->g0hi = savedHi;
      m->g0StackAccurate = savedAccurate;
    }
    rt::usererror(
        "a callback was called after cbridge::shutdown(); the handler did not run and the "
        "caller gets a zero result");
    return false;
  }
  m->callbacks.store(m->callbacks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);

  // A nested callback runs on the calling task, below its foreign call's
  // frames; a thread's callback on its extra M's G, from the top.
  bool nested = m->ncgo > 0;
  G* gp = nested ? m->curg : m->extrag;
  uintptr_t top = nested ? gp->syscallsp : gp->stack->hi;
  top = (top - kEntryGap) & ~uintptr_t(15);
  CallbackFrame fr{fn, arg, gp, m};
  // Restored when we return: the scheduler's g0 context, and for a nested
  // callback the system-stack bounds of the frames we return to. (A
  // thread's top-level callback keeps its new bounds: the next callback on
  // the same stack then finds them warm.)
  void* savedG0ctx = m->g0ctx;
  m->lockedg = gp;
  gp->lockedm = m;
  gp->m = m;
  m->curg = gp;
  // Leaving foreign code: preemption may land in managed code again.
  rt::preemptExtExit(m);
  rt::asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                      gp->stack->size());
  // A thread's callback runs the extra M's G: a fiber of its own, with
  // this thread's as its g0. A nested one goes on in the calling task's.
  // (Before the park context is made: ThreadSanitizer's calls use stack.)
  if (!nested) {
    m->g0tsanFiber = rt::tsanCurrentFiber();
    rt::tsanSwitchTo(&gp->tsanFiber);
  }
  // Where the G's parks go: a context on this stack below our frame and
  // below what runOnStack keeps here while the G runs, made last so that
  // no call of ours writes over it.
  uintptr_t parkSp = (sp - kParkGap) & ~uintptr_t(15);
  m->g0ctx = rt::make_fcontext(reinterpret_cast<void*>(parkSp), parkSp - m->g0lo, parkLoop);
  bridge::runOnStack(cbRun, &fr, top, gp->stack->lo);
  if (!nested) rt::tsanSwitchTo(&m->g0tsanFiber);
  rt::asanFinishSwitch(m->g0asanFakeStack, nullptr, nullptr);
  rt::preemptExtEnter(m);
  gp->lockedm = nullptr;
  m->lockedg = nullptr;
  // A nested callback's G is in syscall state again, as the foreign call
  // we return to expects; an extra M's G waits for the next callback.
  m->curg = nested ? gp : nullptr;
  m->g0ctx = savedG0ctx;
  if (nested) {
    m->g0lo = savedLo;
    m->g0hi = savedHi;
    m->g0StackAccurate = savedAccurate;
  }
  rt::callbackLeave(m);
  return true;
}

}  // namespace cbridge::cb
