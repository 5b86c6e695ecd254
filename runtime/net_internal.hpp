// SPDX-License-Identifier: MIT
// cbridge::net's hooks for tests: what they need to make a rare kernel
// choice happen every time.
#pragma once

#include <atomic>
#include <cstdint>

namespace cbridge::net::detail {

// While positive, each dial_tcp attempt takes one and binds its socket to
// the address it dials before connecting: with no listener there, the
// socket connects to itself (a TCP simultaneous open), which the kernel
// otherwise does only when its ephemeral port happens to equal the
// destination's. Relaxed: a test sets it before dialing from one task.
extern std::atomic<int> testDialToSelf;
// Self-connected sockets dial_tcp found and closed (relaxed: a count).
extern std::atomic<uint64_t> selfConnects;

}  // namespace cbridge::net::detail
