// SPDX-License-Identifier: MIT
#include "stackbounds/stackbounds.hpp"

#include <algorithm>

#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
#include "runtime/signals.hpp"
#include "runtime/trace.hpp"

namespace cbridge::stackbounds {

namespace {

// threadStack queries the calling thread's stack once per binding
// of mp to this thread. On the main thread glibc reads /proc/self/maps for
// it (tens of µs: golang/go#68587), so it is never repeated per callback.
// Where the query is cheap and follows the OS's fibers (Windows: the
// TEB's bounds, which SwitchToFiber replaces), it is made at each
// refresh: a callback from another fiber than the last gets that fiber's
// exact bounds, not an estimate, and bounds of a fiber since deleted are
// not taken for the thread's.
bool threadStack(rt::M* mp, uintptr_t* lo, uintptr_t* hi) {
  if (!mp->threadStackKnown || rt::osthreadstackFollowsFibers) {
    uintptr_t l = 0, h = 0;
    if (!rt::osthreadstack(&l, &h)) l = h = 0;
    mp->threadStackLo = l;
    mp->threadStackHi = h;
    mp->threadStackKnown = true;
  }
  *lo = mp->threadStackLo;
  *hi = mp->threadStackHi;
  return *lo != 0;
}

}  // namespace

void callbackUpdateSystemStack(rt::M* mp, uintptr_t sp, bool signal) {
  bool in = inBounds(sp, mp->g0lo, mp->g0hi);
  if (in && (mp->g0StackAccurate || !mp->isextra)) return;
  // Managed frames are further up this stack (ncgo > 0: a foreign call
  // of a task on this M is in progress), and sp is outside what we know
  // of the stack they are on. Below an estimate, sp is that stack grown
  // deeper: C recursed further than the guess around the first callback
  // (golang/go#68285's class), and we take the bounds afresh below,
  // keeping the top the managed frames live under. Anywhere else — above
  // the estimate, or outside bounds that are exact, or on a stack the
  // runtime made — C switched stacks under managed frames, and returning
  // into them would be returning into a stack we no longer know
  // (golang/go#62130's class). Go's message, word for word. (A switch to
  // an unknown stack below an estimate goes undetected: nothing tells it
  // from a deeper call on the same one.)
  bool deeper = mp->isextra && !mp->g0StackAccurate && sp < mp->g0lo;
  if (!in && mp->ncgo > 0 && !deeper) {
    // The likeliest stack off the one under a foreign call: a signal
    // handler's, on the alternate signal stack. Say so (sigaltstack is a
    // system call, paid only on the way to the fatal error).
    if (!signal && rt::onaltsigstack())
      rt::fatal(
          "callback called on m%lld from a signal handler running on the alternate signal stack "
          "while the thread was in a foreign call: its handler may run only on the thread's "
          "stack (install it without SA_ONSTACK; see README, \"Signal handlers\")",
          static_cast<long long>(mp->id));
    rt::fatal("cgocallback with sp=%#lx out of bounds [%#lx, %#lx] (m%lld)",
              static_cast<unsigned long>(sp), static_cast<unsigned long>(mp->g0lo),
              static_cast<unsigned long>(mp->g0hi), static_cast<long long>(mp->id));
  }
  if (!mp->isextra) return;  // we made its stack; C's view does not replace it
  // Between callbacks the stack may have changed (a coroutine library):
  // take the bounds afresh. As Go does, an estimate is refreshed even
  // when sp falls inside it: we may be on another stack that happens to
  // overlap the guess.
  if (!in) mp->boundUpdates.store(mp->boundUpdates.load(std::memory_order_relaxed) + 1,
                                  std::memory_order_relaxed);
  uintptr_t keepHi = mp->ncgo > 0 ? mp->g0hi : 0;
  mp->g0lo = sp - kEstimateBelow;
  mp->g0hi = std::max(sp + kEstimateAbove, keepHi);
  mp->g0StackAccurate = false;
  uintptr_t lo, hi;
  if (!signal && threadStack(mp, &lo, &hi) && inBounds(sp, lo, hi) &&
      (keepHi == 0 || inBounds(keepHi - 1, lo, hi))) {
    mp->g0lo = lo;
    mp->g0hi = hi;
    mp->g0StackAccurate = true;
  }
  rt::traceStackBounds(mp);
}

void forgetThread(rt::M* mp) {
  mp->threadStackKnown = false;
  mp->threadStackLo = mp->threadStackHi = 0;
  mp->g0lo = mp->g0hi = 0;
  mp->g0StackAccurate = false;
}

void checkG0(rt::M* mp, uintptr_t sp) {
  if (inBounds(sp, mp->g0lo, mp->g0hi)) return;
  rt::fatal("runtime: m%lld's system stack is [%#lx, %#lx) but runtime code would run at sp=%#lx",
            static_cast<long long>(mp->id), static_cast<unsigned long>(mp->g0lo),
            static_cast<unsigned long>(mp->g0hi), static_cast<unsigned long>(sp));
}

}  // namespace cbridge::stackbounds
