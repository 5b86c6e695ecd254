// SPDX-License-Identifier: MIT
// System-stack bounds of Ms bound to threads the runtime did not create
// (Go's callbackUpdateSystemStack, cgocall.go, with its later fixes).
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::stackbounds {

// The estimate used when the thread's stack does not contain sp (a
// coroutine's stack) or when it cannot be queried (a signal handler):
// [sp - kBelow, sp + kAbove].
constexpr uintptr_t kEstimateBelow = 32 * 1024;
constexpr uintptr_t kEstimateAbove = 1024;

// callbackUpdateSystemStack sets or refreshes mp's g0 bounds for a
// callback arriving on sp:
//  - sp in bounds that are exact (always so for a runtime M): nothing (the
//    warm path: two compares);
//  - sp out of bounds while foreign code called from managed code is on
//    this stack (ncgo > 0): below estimated bounds, the same stack grown
//    deeper (the bounds are taken afresh, their top kept); otherwise C
//    switched stacks under managed frames, a fatal error ("cgocallback
//    with sp=... out of bounds [...]");
//  - a runtime M keeps the bounds we gave its stack;
//  - otherwise the bounds become the thread's pthread stack if it holds
//    sp (queried once per thread binding, never from a signal handler;
//    on Windows, at each refresh, the running fiber's stack from the TEB),
//    else an estimate around sp.
// needm uses it for an M's first bounds on a thread.
void callbackUpdateSystemStack(rt::M* mp, uintptr_t sp, bool signal);

// checkG0 is the check of runtime code about to run on mp's system stack
// at sp (a foreign call): outside the bounds it is a fatal error naming
// them, not a random crash later.
void checkG0(rt::M* mp, uintptr_t sp);

// forgetThread drops mp's remembered pthread stack: it is being bound to
// another thread (needm) or released (dropm).
void forgetThread(rt::M* mp);

// inBounds reports whether sp lies in [lo, hi).
inline bool inBounds(uintptr_t sp, uintptr_t lo, uintptr_t hi) { return sp >= lo && sp < hi; }

}  // namespace cbridge::stackbounds
