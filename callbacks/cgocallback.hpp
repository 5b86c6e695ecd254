// SPDX-License-Identifier: MIT
// The way into managed code from foreign code (Go's cgocallback and
// cgocallbackg, cgocall.go).
#pragma once

#include <cstdint>

namespace cbridge::cb {

// cgocallback runs fn(arg) as managed code for the calling thread, which
// waits for it: on a task, with a P, able to park and to call foreign code
// again. The thread may be any thread (needm binds an M to a new one), a
// runtime M inside a foreign call (a nested callback, run on the calling
// task), or a task already (fn is simply called). It returns false, having
// printed why, if the runtime was shut down: fn did not run.
bool cgocallback(void (*fn)(void*), void* arg);

// callbacksAlive is the number of callbacks made and not yet freed: C
// code may call any of them at any time, so while one is alive checkdead
// never calls the tasks' sleep a deadlock.
int64_t callbacksAlive();

}  // namespace cbridge::cb
