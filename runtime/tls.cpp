// SPDX-License-Identifier: MIT
// The thread-local M. Kept in its own file and behind noipa so that no
// caller can cache the thread-local address across a task switch: a task
// that parks on one thread may resume on another.
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

namespace {
// initial-exec: read from the guard-page signal handler, which must not
// allocate a TLS block.
__attribute__((tls_model("initial-exec"))) thread_local M* tlsM = nullptr;
}

__attribute__((noipa)) M* getm() { return tlsM; }

__attribute__((noipa)) void setm(M* m) { tlsM = m; }

__attribute__((noipa)) G* getg() {
  M* m = tlsM;
  return m != nullptr ? m->curg : nullptr;
}

}  // namespace cbridge::rt
