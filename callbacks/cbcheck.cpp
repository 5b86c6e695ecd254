// SPDX-License-Identifier: MIT
// The checks of CBRIDGE_DEBUG=cbcheck (cbcheck.hpp). What each catches
// that the unchecked runtime does not:
//
//  - A callback nested in a foreign call, arriving above the point where
//    that call entered C. The C code left the call's frames without
//    returning: it longjmp'd past them, or switched to a coroutine stack
//    carved out of the thread's own stack. The unchecked bounds test sees
//    nothing wrong (sp is inside the thread's stack), and the managed
//    frames waiting above may be overwritten, or the foreign call never
//    return. (The out-of-bounds switch is caught unchecked, as Go does.)
//  - A callback freed while calls of it are in flight. Unchecked, this is
//    a documented idiom (a one-shot callback freeing itself) and works,
//    but freed from another thread it means the free raced the calls: one
//    that starts a moment later runs on freed memory. Checked, it is fatal.
//  - A freed callback's pointer called again: the closure quarantine then
//    keeps every freed closure trapped, not only the last 1024
//    (closure_quarantine.cpp).
//  - A handler that returns to C holding a runtime Lock or a
//    cbridge::Mutex it took: the task that next wants it waits until the
//    thread calls back again, or for ever. The handler's G is locked to
//    its M, so the thread's lock counts (lockheld.hpp) before and after
//    the handler count its locks alone.
#include "callbacks/cbcheck.hpp"

#include "runtime/fatal.hpp"
#include "runtime/lockheld.hpp"
#include "stackbounds/stackbounds.hpp"

namespace cbridge::cb {

void cbcheckStack(rt::M* m, uintptr_t sp, bool nested) {
  if (!stackbounds::inBounds(sp, m->g0lo, m->g0hi))
    rt::fatal(
        "cbcheck: a callback on m%lld arrived at sp=%#llx, outside the system-stack bounds "
        "[%#llx, %#llx) the runtime gave it: the bounds refresh missed a stack switch (a "
        "runtime bug: please report it with the C code's stack switching)",
        static_cast<long long>(m->id), static_cast<unsigned long long>(sp),
        static_cast<unsigned long long>(m->g0lo), static_cast<unsigned long long>(m->g0hi));
  // The foreign call runs below g0's saved context (cgocall): its frames,
  // and whatever it calls back from, are under it.
  uintptr_t entered = reinterpret_cast<uintptr_t>(m->g0ctx);
  if (nested && sp >= entered)
    rt::fatal(
        "cbcheck: a callback nested in a foreign call on m%lld arrived at sp=%#llx, above "
        "where that call entered C (sp=%#llx): the C code left the call's frames without "
        "returning (a longjmp past them, or a switch to a coroutine stack inside the "
        "thread's own stack) while managed frames wait above them; return from foreign "
        "calls normally, and give coroutines stacks of their own",
        static_cast<long long>(m->id), static_cast<unsigned long long>(sp),
        static_cast<unsigned long long>(entered));
}

HeldLocks heldLocks() { return {rt::locksHeld(), rt::mutexesHeld()}; }

void cbcheckHandlerLocks(const HeldLocks& before, rt::M* m) {
  HeldLocks after = heldLocks();
  // Signed differences: a handler may unlock a Mutex its task held before
  // the foreign call it is nested in.
  int32_t locks = int32_t(after.locks - before.locks);
  int32_t mutexes = int32_t(after.mutexes - before.mutexes);
  if (locks <= 0 && mutexes <= 0) return;
  rt::fatal(
      "cbcheck: a callback's handler returned to C on m%lld holding %d runtime lock(s) and "
      "%d cbridge::Mutex(es) it took: whoever next wants them waits until this thread calls "
      "back again, or for ever; unlock them before the handler returns",
      static_cast<long long>(m->id), locks > 0 ? locks : 0, mutexes > 0 ? mutexes : 0);
}

void cbcheckFreedInFlight(const void* fn, int64_t calls) {
  rt::fatal(
      "cbcheck: the callback at %p was freed while %lld call(s) of it were in flight: a "
      "call that starts as it is freed runs on freed memory; free a callback only once C "
      "code can no longer call it and its calls have returned (unchecked, a handler freeing "
      "its own callback is allowed)",
      fn, static_cast<long long>(calls));
}

}  // namespace cbridge::cb
