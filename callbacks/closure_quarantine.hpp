// SPDX-License-Identifier: MIT
// Where freed callback closures wait before libffi may hand their
// addresses out again.
#pragma once

#include <ffi.h>

namespace cbridge::cb {

// quarantineClosure takes the closure of a callback whose last call has
// returned, in place of ffi_closure_free. The closure is re-aimed at a
// handler that reports the stale call and exits, and kept out of libffi's
// hands until kClosureQuarantine later closures have been freed: a call
// through a freed callback's pointer (undefined behaviour) then dies with
// `fatal error: a freed callback was called ...` instead of silently
// running whichever callback libffi gave the address to next, as
// allocators quarantine freed blocks. Past the quarantine the address may
// be reused, and a stale call is again undetected; under
// CBRIDGE_DEBUG=cbcheck the quarantine keeps every closure, and the
// message says `cbcheck:`.
void quarantineClosure(ffi_closure* closure, void* code);

constexpr int kClosureQuarantine = 1024;

}  // namespace cbridge::cb
