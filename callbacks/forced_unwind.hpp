// SPDX-License-Identifier: MIT
// A thread that ends inside a callback's handler (pthread_exit, or
// pthread_cancel acted on there): glibc unwinds the thread's stack with a
// forced-unwind exception, which must never be swallowed (glibc aborts:
// "exception not rethrown").
#pragma once

#include <cxxabi.h>

#include <utility>

#include "runtime/attributes.hpp"

// glibc's forced unwind has no exception object, so the catch's reference
// is bound to null: undefined to UBSan, harmless in fact. Functions that
// catch it go without UBSan's checks (GCC takes no narrower option), so
// keep them small.
#define CBRIDGE_CATCHES_FORCED_UNWIND CBRIDGE_NO_SANITIZE_UNDEFINED

namespace cbridge::cb {

// onForcedUnwind runs body(); if the thread's forced unwind passes through
// it, runs cleanup() and lets the unwind go on.
template <typename Body, typename Cleanup>
CBRIDGE_CATCHES_FORCED_UNWIND void onForcedUnwind(Body&& body, Cleanup&& cleanup) {
  try {
    std::forward<Body>(body)();
  } catch (abi::__forced_unwind&) {
    std::forward<Cleanup>(cleanup)();
    throw;
  }
}

}  // namespace cbridge::cb
