// SPDX-License-Identifier: MIT
// The thread-local M. Kept in its own file and behind noipa so that no
// caller can cache the thread-local address across a task switch: a task
// that parks on one thread may resume on another.
#include "runtime/attributes.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

namespace {
// initial-exec: read from the guard-page signal handler, which must not
// allocate a TLS block.
CBRIDGE_TLS_INITIAL_EXEC thread_local M* tlsM = nullptr;
}

CBRIDGE_NOIPA M* getm() { return tlsM; }

CBRIDGE_NOIPA void setm(M* m) { tlsM = m; }

CBRIDGE_NOIPA G* getg() {
  M* m = tlsM;
  return m != nullptr ? m->curg : nullptr;
}

}  // namespace cbridge::rt
