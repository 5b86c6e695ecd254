// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG=cbcheck: checked callbacks, as JNI's -Xcheck:jni checks
// the calls of native code into the VM. Each check turns a misuse whose
// unchecked result is undefined, or a hang far from its cause, into
// `fatal error: cbcheck: <what was wrong and what to do>` at the callback
// that commits it. Off by default; the callers test rt::debug.cbcheck (one
// load and one predictable branch) before calling in here.
#pragma once

#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::cb {

// cbcheckStack checks the stack a callback arrived on at sp, after its
// bounds were refreshed (callbackUpdateSystemStack): sp must lie in the
// M's system-stack bounds, and a callback nested in a foreign call must
// arrive below where that call entered C.
void cbcheckStack(rt::M* m, uintptr_t sp, bool nested);

// HeldLocks is what the calling thread holds: runtime Locks and
// cbridge::Mutexes (lockheld.hpp).
struct HeldLocks {
  uint32_t locks;
  uint32_t mutexes;
};
HeldLocks heldLocks();

// cbcheckHandlerLocks checks, when a handler has returned on m, that the
// thread holds no more than before it ran.
void cbcheckHandlerLocks(const HeldLocks& before, rt::M* m);

// cbcheckFreedInFlight reports the callback at fn freed while calls of it
// were in flight.
[[noreturn]] void cbcheckFreedInFlight(const void* fn, int64_t calls);

}  // namespace cbridge::cb
