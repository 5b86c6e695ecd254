// SPDX-License-Identifier: MIT
// What the observability scenarios share (issue 17): the portable ones in
// scenarios_observe.cpp and the SIGQUIT ones in scenarios_observe_unix.cpp.
#pragma once

#include <cbridge/cbridge.hpp>

#include <atomic>

namespace testprog::observe {

// How many tasks (and C threads) said they are about to block.
extern std::atomic<int> blocking;

// observeChanReceive counts itself in blocking, then waits on c: the
// dumps and tracebacks must name it. Never inlined.
void observeChanReceive(cbridge::Chan<int> c);

// waitForever blocks the calling thread for good, as pause() does but
// portably: the scenario ends by its fatal error or signal meanwhile.
[[noreturn]] void waitForever();

}  // namespace testprog::observe
