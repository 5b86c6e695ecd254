#include "callbacks/cgocallback.hpp"

#include <atomic>

#include "callbacks/extram.hpp"
#include "runtime/context.hpp"
#include "runtime/fatal.hpp"
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
};

// Bytes left free below the stack position a callback starts at.
constexpr uintptr_t kEntryGap = 256;

// callbackDone marks, in M::mcallfn, that the callback's G finished the
// handler and re-entered syscall state; it is never called.
G* callbackDone(G* gp) { return gp; }

// cbEntry is the bottom frame of a callback on the G's stack (Go's
// cgocallbackg): get a P, run the handler, give the P back.
void cbEntry(rt::transfer_t t) {
  auto* fr = static_cast<CallbackFrame*>(t.data);
  G* gp = fr->gp;
  rt::arrived(t, gp);
  M* m = rt::getm();  // locked: the same M throughout
  rt::exitsyscall(m);
  fr->fn(fr->arg);
  rt::entersyscall(m);
  m->mcallfn = callbackDone;
  // This context ends here; the G's stack below the entry point is free
  // again. An ending context's ASan fake stack is freed with nullptr.
  rt::asanStartSwitch(nullptr, m->g0stackBottom, m->g0stackSize);
  rt::jump_fcontext(m->g0ctx, gp);
  rt::fatal("a finished callback was resumed");
}

// runLocked runs gp, locked to m, from the callback's entry until it
// finishes: a scheduler for one G. When gp parks, m hands off its P and
// sleeps until gp is readied and handed back with a P (Go's stoplockedm).
void runLocked(M* m, G* gp, CallbackFrame* fr) {
  // cbEntry receives the frame; later resumptions (in mcall) ignore it.
  for (;;) {
    if (gp->status.load(std::memory_order_relaxed) == rt::GStatus::Runnable)
      gp->status.store(rt::GStatus::Running, std::memory_order_relaxed);
    gp->m = m;
    m->curg = gp;
    rt::asanStartSwitch(&m->g0asanFakeStack, reinterpret_cast<void*>(gp->stack->lo),
                        gp->stack->size());
    rt::transfer_t t = rt::jump_fcontext(gp->ctx, fr);
    rt::asanFinishSwitch(m->g0asanFakeStack, nullptr, nullptr);
    gp->ctx = t.fctx;
    m->curg = nullptr;
    G* (*fn)(G*) = m->mcallfn;
    m->mcallfn = nullptr;
    if (fn == callbackDone) return;
    if (fn(gp) == gp) continue;  // e.g. a park whose condition already held
    rt::stoplockedm(m);          // gp is parked or queued: wait for it
  }
}

}  // namespace

bool cgocallback(void (*fn)(void*), void* arg) {
  volatile char marker = 0;  // our stack pointer, near enough
  auto sp = reinterpret_cast<uintptr_t>(&marker);
  M* m = rt::getm();
  if (m != nullptr && m->ncgo == 0 && !(m->isextra && m->lockedg == nullptr)) {
    // Managed code called the pointer directly (a task, or the runtime on
    // g0): it is managed code already.
    fn(arg);
    return true;
  }
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
  m->callbacks.store(m->callbacks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);

  // A nested callback runs on the calling task, below its foreign call's
  // frames; a thread's callback on its extra M's G, from the top.
  bool nested = m->ncgo > 0;
  G* gp = nested ? m->curg : m->extrag;
  uintptr_t top = nested ? gp->syscallsp : gp->stack->hi;
  top = (top - kEntryGap) & ~uintptr_t(15);
  CallbackFrame fr{fn, arg, gp};
  // Restored when we return: the scheduler's g0 context, and for a nested
  // callback the system-stack bounds of the frames we return to. (A
  // thread's top-level callback keeps its new bounds: the next callback on
  // the same stack then finds them warm.)
  void* savedG0ctx = m->g0ctx;
  gp->ctx = rt::make_fcontext(reinterpret_cast<void*>(top), top - gp->stack->lo, cbEntry);
  m->lockedg = gp;
  gp->lockedm = m;
  // Leaving foreign code: preemption may land in managed code again.
  rt::preemptExtExit(m);
  runLocked(m, gp, &fr);
  rt::preemptExtEnter(m);
  gp->lockedm = nullptr;
  m->lockedg = nullptr;
  if (nested) {
    m->curg = gp;  // in syscall state again, as the foreign call we return to expects
    gp->m = m;
  }
  m->g0ctx = savedG0ctx;
  if (nested) {
    m->g0lo = savedLo;
    m->g0hi = savedHi;
    m->g0StackAccurate = savedAccurate;
  }
  return true;
}

}  // namespace cbridge::cb
