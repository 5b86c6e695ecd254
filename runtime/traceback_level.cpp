// SPDX-License-Identifier: MIT
// CBRIDGE_TRACEBACK, Go's GOTRACEBACK: read once by each OS's
// tracebackinit (traceback_linux.cpp, traceback_windows.cpp) before any
// handler that prints a stack can run, then only read. The values are
// Go's: none/0, single/1, all/system/2, crash; anything else is a user
// error that keeps the default.
#include <cstdlib>
#include <cstring>

#include "runtime/fatal.hpp"
#include "runtime/traceback.hpp"

namespace cbridge::rt {

namespace {

// Written once by readTracebackLevel, before any thread can print.
TracebackLevel level = TracebackLevel::Single;

}  // namespace

TracebackLevel tracebackLevel() { return level; }

void readTracebackLevel() {
  const char* s = getenv("CBRIDGE_TRACEBACK");
  if (s == nullptr || *s == '\0') return;
  if (strcmp(s, "none") == 0 || strcmp(s, "0") == 0)
    level = TracebackLevel::None;
  else if (strcmp(s, "single") == 0 || strcmp(s, "1") == 0)
    level = TracebackLevel::Single;
  else if (strcmp(s, "all") == 0 || strcmp(s, "system") == 0 || strcmp(s, "2") == 0)
    level = TracebackLevel::All;
  else if (strcmp(s, "crash") == 0)
    level = TracebackLevel::Crash;
  else
    usererror("CBRIDGE_TRACEBACK=%s is not a traceback level: single is used (the levels: none, "
              "single, all, crash)",
              s);
}

}  // namespace cbridge::rt
