// SPDX-License-Identifier: MIT
// The task dump: what SIGQUIT, a fatal error under CBRIDGE_TRACEBACK=all
// and cbridge::dump print (Go's tracebackothers, with an M list).
#pragma once

#include "runtime/print.hpp"

namespace cbridge::rt {

// dumpTasks prints every task but the calling thread's own running one
// (whose stack the caller prints: it knows where it starts): its id,
// state and what it waits for and since when, its stack and where it
// was created.
void dumpTasks(RawWriter& w);
// dumpMs prints every M: its OS thread, whether the runtime made it or it
// is an extra M (and the C thread it is bound to), its P and task, and
// the system-stack bounds in use, exact or estimated.
void dumpMs(RawWriter& w);
// dumpAll is the public dump (cbridge_dump): the calling thread's task,
// from the signal frame if it runs in a handler, then every task and M.
void dumpAll(int fd);
// printCurrentTask prints the header of the calling thread's task, or
// says that the thread runs no task, and its stack: the interrupted one
// in a signal handler (inHandler), else from the caller of the caller.
void printCurrentTask(RawWriter& w, bool inHandler);

}  // namespace cbridge::rt
