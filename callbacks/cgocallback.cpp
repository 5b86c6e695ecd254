// SPDX-License-Identifier: MIT
// cgocallback: C calling managed code (Go's cgocallback and cgocallbackg,
// cgocall.go).
//
// A callback arrives on a thread in one of three states (arrival): managed
// code calling the pointer directly (run in place); a foreign call of the
// M's task calling back (nested: the handler runs on the calling task's G,
// below its foreign call's frames); or a thread between callbacks, one the
// runtime never created, which gets an extra M (needm, cached until the
// thread exits) and runs the handler on that M's own G.
//
// The protocol, on the calling thread:
//  1. The G is locked to this M (lockedg/lockedm): C frames of the caller
//     are on this thread's stack, so whatever the handler parks on, it
//     comes back here (stoplockedm / startlockedm).
//  2. preemptExtExit: the thread leaves foreign code, so preemption may
//     land in the handler again. The handler starts outside any
//     preemptible region (preemptDepth saved, set to 0, restored): the
//     signal never suspends the G over C frames unless the handler itself
//     opened a region.
//  3. cbRun on the G's stack: exitsyscall takes a P (the one kept since
//     the last callback, or any); the handler runs as managed code; then
//     entersyscall, or entersyscallRelease for a thread's callback, whose
//     P goes to whoever waits for one.
//  4. preemptExtEnter: back to foreign code. If a preemptor holds the
//     lock, its signal reaches this thread while we wait, and the wait
//     ends with the handler's acknowledgement; C never sees it.
// No runtime lock is held across the handler: exit() called in it runs
// the exit path (freeze.cpp) with nothing to wait for.
#include "callbacks/cgocallback.hpp"

#include <atomic>

#include "bridge/stack_switch.hpp"
#include "callbacks/cbcheck.hpp"
#include "callbacks/extram.hpp"
#include "callbacks/forced_unwind.hpp"
#include "runtime/attributes.hpp"
#include "runtime/context.hpp"
#include "runtime/debugvars.hpp"
#include "runtime/fatal.hpp"
#include "runtime/fork.hpp"
#include "runtime/preempt.hpp"
#include "runtime/proc.hpp"
#include "runtime/syscall.hpp"
#include "runtime/trace.hpp"
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
  bool nested;  // from a foreign call of the M's task, not a thread's own
};

void parkLoop(rt::transfer_t t);

// cbRun runs on the G's stack (Go's cgocallbackg): get a P, run the
// handler, give the P back. It returns to cgocallback on the thread's
// stack, however many times the handler parked meanwhile.
//
// First it makes the context the G parks to (g0 of this M while the
// callback runs), on the thread's stack just below inuse, the lowest
// address runOnStack left live there. Made here, after the switch, and
// not by cgocallback before it: every call cgocallback made after making
// it could have written over it, and the first call through the PLT did
// (the lazy resolver saves the XSAVE area below the caller, 2.4 KiB with
// AVX-512, 11 KiB with AMX; an LD_AUDIT module runs arbitrary code there).
// Nothing runs on the thread's stack from now until the G parks.
void cbRun(void* p, uintptr_t inuse) {
  auto* fr = static_cast<CallbackFrame*>(p);
  M* m = fr->m;  // locked: the same M throughout
  uintptr_t parkSp = inuse & ~uintptr_t(15);
  m->g0ctx = rt::make_fcontext(reinterpret_cast<void*>(parkSp), parkSp - m->g0lo, parkLoop);
  bridge::adoptStackDescription(m->g0ctx, inuse);
  rt::asanFinishSwitch(fr->gp->asanFakeStack, &m->g0stackBottom, &m->g0stackSize);
  rt::exitsyscall(m);
  // The G's ASan fake stack is kept for its next callback: this function
  // still returns (or unwinds) through instrumented code on it.
  // A nested callback returns into its task's foreign call, which takes
  // its P back or loses it to sysmon as any foreign call does. A thread's
  // callback returns to the thread's C code: its P goes to whoever waits
  // for one rather than waiting for the thread's next callback.
  auto leave = [&] {
    if (fr->nested)
      rt::entersyscall(m);
    else
      rt::entersyscallRelease(m);
    rt::asanStartSwitch(&fr->gp->asanFakeStack, m->g0stackBottom, m->g0stackSize);
  };
  // If the thread ends in the handler (pthread_exit, or a cancellation
  // point the handler reached), give the P back as a return does and let
  // glibc's unwinding go on into cgocallback.
  HeldLocks held{};
  if (rt::debug.cbcheck != 0) held = heldLocks();
  onForcedUnwind([&] { fr->fn(fr->arg); }, leave);
  if (rt::debug.cbcheck != 0) cbcheckHandlerLocks(held, m);
  leave();
}

// parkLoop is the M's g0 while a callback's G is parked: the context the
// G's mcall switches to, made on the thread's stack below cgocallback's
// frames. It is a scheduler for one G: run the G's park action, then, as
// the M may run nothing else, hand off the P and sleep until the G is
// readied and handed back with a P (Go's stoplockedm). It never returns:
// when the G finishes, cbRun returns straight to cgocallback, abandoning
// this context.
//
// Not instrumented by ASan: the abandoned context leaves parkLoop's frame
// live forever, and ASan poisons a frame's redzones on entry and clears
// them on return. Left poisoned, they would be reported against whatever
// later runs over this part of the stack: C code the foreign call goes on
// with, or the next callback's frames (a false "stack-buffer-underflow").
// No other frame is left behind: parkLoop's callees have all returned
// when it jumps, and jump_fcontext is assembly.
CBRIDGE_NO_SANITIZE_ADDRESS void parkLoop(rt::transfer_t t) {
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
    rt::traceGoStart(m, gp);
    rt::asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                        gp->stack->size());
    rt::tsanSwitchTo(&gp->tsanFiber);
    t = rt::jump_fcontext(gp->ctx, gp);
  }
}

// What a callback changes on its M and G, restored when it returns: a
// nested callback returns into a foreign call of a callback or task that
// still needs them as they were (Go's cgocallbackg saves and restores
// syscallsp and the g0 bounds the same way).
struct SavedState {
  void* g0ctx;         // the scheduler's (or an outer callback's park) context
  G* lockedg;          // an outer callback's G still runs locked to this M
  M* lockedm;
  uintptr_t syscallsp;  // where the next callback nested in the outer call starts
  // The g0 bounds: the frames we return to run under these. (A callback
  // from a coroutine takes them afresh; the thread's own stack then finds
  // its exact bounds again, warm.)
  uintptr_t g0lo, g0hi;
  bool g0StackAccurate;
  // The calling task's preemptible-region depth: a callback starts outside
  // any region, so the preemption signal never suspends the G while C
  // frames of its foreign call lie below on the system stack unless the
  // handler opened a region of its own.
  int32_t preemptDepth;

  SavedState(M* m, G* gp)
      : g0ctx(m->g0ctx), lockedg(m->lockedg), lockedm(gp->lockedm), syscallsp(gp->syscallsp),
        g0lo(m->g0lo), g0hi(m->g0hi), g0StackAccurate(m->g0StackAccurate),
        preemptDepth(gp->preemptDepth.load(std::memory_order_relaxed)) {}

  void restore(M* m, G* gp) const {
    m->g0ctx = g0ctx;
    m->lockedg = lockedg;
    gp->lockedm = lockedm;
    gp->syscallsp = syscallsp;
    m->g0lo = g0lo;
    m->g0hi = g0hi;
    m->g0StackAccurate = g0StackAccurate;
    gp->preemptDepth.store(preemptDepth, std::memory_order_relaxed);
  }
};

// Set once the first callback after shutdown has said so.
std::atomic<bool> reportedAfterShutdown{false};

void reportAfterShutdown() {
  rt::usererrorOnce(&reportedAfterShutdown,
                    "a callback was called after cbridge::shutdown(); its handler did not run and "
                    "its caller got a zero result (said once: later calls get the same)");
}

}  // namespace

// How a callback arrives on a thread that has an M.
enum class Arrival {
  Direct,  // managed code called the pointer: run the handler in place
  Nested,  // from a foreign call of the M's running task or callback
  Thread,  // a thread's callback on its cached extra M, between callbacks
};

// arrival classifies a callback on m at sp by what m is doing, or dies
// naming why it cannot run. A callback can only come from code running on
// the thread: managed code, a foreign call, or C between callbacks. What
// else is left is a signal handler (or a C library's hook run from one)
// that interrupted the runtime itself — the scheduler on g0, a switch
// half done, a callback's M asleep while its task parks — and whose
// callback could only corrupt the state it interrupted. Whether a thread
// is in a signal handler is not knowable in general; these states are,
// and each is refused here with a fatal error rather than a SIGSEGV later.
// (A handler without SA_ONSTACK that interrupts a task runs on the task's
// stack and is taken for managed code: it is not supported, see README.)
Arrival arrival(M* m, uintptr_t sp) {
  G* cur = m->curg;
  const char* why;
  if (cur != nullptr && cur->status.load(std::memory_order_relaxed) == rt::GStatus::Running) {
    if (stackbounds::inBounds(sp, cur->stack->lo, cur->stack->hi)) return Arrival::Direct;
    why = "it ran a task, on another stack (a signal handler that interrupted the task)";
  } else if (cur != nullptr && m->ncgo > 0) {
    if (cur->syscallsp != 0) return Arrival::Nested;
    why = "a task was switching to or from a foreign call";
  } else if (cur == nullptr && m->isextra && m->lockedg == nullptr) {
    return Arrival::Thread;
  } else if (cur == nullptr && m->isextra) {
    why = "the thread's own callback was parked, waiting for its task";
  } else if (cur == nullptr) {
    why = "the runtime's scheduler ran on it";
  } else {
    why = "a callback was switching to or from its task";
  }
  rt::fatal(
      "callback called on m%lld while %s: a signal handler may call callbacks only while its "
      "thread is in a foreign call or outside cbridge (see README, \"Signal handlers\")",
      static_cast<long long>(m->id), why);
}

bool cgocallback(void (*fn)(void*), void* arg) {
  uintptr_t sp = bridge::currentSP();
  M* m = rt::getm();
  Arrival how = m != nullptr ? arrival(m, sp) : Arrival::Thread;
  if (how == Arrival::Direct) {
    // Managed code called the pointer directly: it is managed code already.
    fn(arg);
    return true;
  }
  if (rt::refuseInForkChild()) return false;  // its line says why (runtime/fork_unix.cpp)
  if (!rt::ensureStarted()) {
    reportAfterShutdown();
    return false;
  }
  // needm takes this thread's bounds; a thread's later callbacks and
  // nested ones refresh them when sp left them.
  bool nested = how == Arrival::Nested;
  if (m == nullptr) {
    m = needm(sp);
  } else {
    m->cacheHits.store(m->cacheHits.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  // A nested callback runs on the calling task, below its foreign call's
  // frames; a thread's callback on its extra M's G, from the top. Either
  // way nothing else is on that stack below where we start: the top of
  // the G's stack, or the lowest address the foreign call in progress
  // left live (set after its switch to g0).
  G* gp = nested ? m->curg : m->extrag;
  uintptr_t top = (nested ? gp->syscallsp : gp->stack->hi) & ~uintptr_t(15);
  const SavedState saved(m, gp);
  stackbounds::callbackUpdateSystemStack(m, sp, false);
  if (rt::debug.cbcheck != 0) cbcheckStack(m, sp, nested);
  // shutdown() closed the gate after ensureStarted: refused the same way.
  if (!rt::callbackEnter(m)) {
    saved.restore(m, gp);
    reportAfterShutdown();
    return false;
  }
  m->callbacks.store(m->callbacks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  CallbackFrame fr{fn, arg, gp, m, nested};
  // The G runs locked to this M: its caller's C frames are on this
  // thread's stack, so it must come back here, whatever it parks on.
  m->lockedg = gp;
  gp->lockedm = m;
  gp->m = m;
  gp->preemptDepth.store(0, std::memory_order_relaxed);
  m->curg = gp;
  rt::traceCallbackEnter(m, gp, nested);  // the G runs from here (trace_json.cpp)
  // Leaving foreign code: preemption may land in managed code again.
  rt::preemptExtExit(m);
  rt::asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                      gp->stack->size());
  // A thread's callback runs the extra M's G: a fiber of its own, with
  // this thread's as its g0. A nested one goes on in the calling task's.
  if (!nested) {
    m->g0tsanFiber = rt::tsanCurrentFiber();
    rt::tsanSwitchTo(&gp->tsanFiber);
  }
  // Always inlined: it switches ThreadSanitizer's fiber back to g0's, and
  // an out-of-line call would enter on the G's fiber and return on g0's,
  // so each callback would leave a frame on the one shadow stack and take
  // one off the other (TSan then reports races and crashes).
  auto leave = [&]() CBRIDGE_ALWAYS_INLINE {
    rt::traceCallbackExit(m, gp);
    if (!nested) rt::tsanSwitchTo(&m->g0tsanFiber);
    rt::asanFinishSwitch(m->g0asanFakeStack, nullptr, nullptr);
    rt::preemptExtEnter(m);
    saved.restore(m, gp);
    // A nested callback's G is in syscall state again, as the foreign call
    // we return to expects; an extra M's G waits for the next callback.
    m->curg = nested ? gp : nullptr;
    rt::callbackLeave(m);
  };
  // If the thread ends in the handler, leave the M as a return does, so
  // the thread's exit (dropm) finds it between callbacks and puts it back
  // on the extra list. Below a nested callback are a task's frames, which
  // must not be unwound: the task would be lost.
  uintptr_t guardlo = gp->stack->guardlo != 0 ? gp->stack->guardlo : gp->stack->lo;
  onForcedUnwind([&] { bridge::runOnStack(cbRun, &fr, top, gp->stack->lo, guardlo, nullptr); },
                 [&] {
                   if (nested)
                     rt::fatal(
                         "a thread was cancelled or called pthread_exit inside a callback nested "
                         "in a foreign call; only a thread's outermost callback may end its thread");
                   leave();
                 });
  leave();
  return true;
}

}  // namespace cbridge::cb
