// SPDX-License-Identifier: MIT
// Fatal runtime errors: print "fatal error: ..." and exit 2, as Go does.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/attributes.hpp"
// debugEnabled and addDebugFlags, which fatal.hpp declared before
// CBRIDGE_DEBUG had a parser of its own; its callers still include this.
#include "runtime/debugvars.hpp"

namespace cbridge::rt {

// fatal prints "fatal error: <message>" and, as CBRIDGE_TRACEBACK says
// (traceback.hpp), the failing thread's task and stack, or every task and
// M, to stderr, and exits the process with status 2 (or aborts, for
// CBRIDGE_TRACEBACK=crash). It allocates nothing and takes no lock, so it
// is safe from a signal handler and with any runtime lock held.
[[noreturn]] void fatal(const char* fmt, ...) CBRIDGE_PRINTF(1, 2);

enum class TracebackLevel;
// What a crash shows at CBRIDGE_TRACEBACK=single: the failing thread's
// task and stack (a fatal error), that and every task and M (SIGQUIT), or
// every task and M, no thread having failed (a deadlock). Under all and
// crash, every task and M is shown always.
enum class CrashShows { Failing, FailingAndAll, All };
// crash is the end of fatal, of the SIGQUIT dump and of the deadlock
// report: the tracebacks that level and shows ask for, then exit(2) or
// abort.
[[noreturn]] void crash(TracebackLevel level, CrashShows shows);

// usererror prints one line "cbridge: <message>" to stderr: the report of a
// misuse that has a documented, non-fatal result.
void usererror(const char* fmt, ...) CBRIDGE_PRINTF(1, 2);

// usererrorOnce is usererror for a misuse that may repeat on every call
// (a callback called after shutdown, a self-freeing callback): the first
// time *reported is false it prints, and never again in this process.
// Relaxed: the flag orders nothing, at worst two racing first calls both
// print.
void usererrorOnce(std::atomic<bool>* reported, const char* fmt, ...)
    CBRIDGE_PRINTF(2, 3);

}  // namespace cbridge::rt
