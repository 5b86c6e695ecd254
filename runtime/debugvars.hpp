// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG: the runtime's debugging switches, one comma-separated
// variable of key=value items, like GODEBUG (Go's dbgvars and
// parsedebugvars, runtime1.go).
//
// The variable is parsed exactly once, when the library is loaded (a
// constructor that runs before any other initializer of the library, so
// before any thread of the runtime or of the host can call into it), into
// `debug`, which nothing writes afterwards. Readers on any thread then
// read a plain struct, without a lock or an atomic: a switch that guards
// a hot path (cbcheck on every callback entry) costs one load and one
// predictable branch. Parsing once also means one warning for a bad item,
// however often the keys are consulted, and a value that cannot change
// under a running runtime (getenv races a concurrent setenv).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cbridge::rt {

// DebugVars holds each key's value, 0 when not given. Reports (shutdown,
// callbacks, deadlock) are what `all` turns on.
struct DebugVars {
  int32_t schedtrace = 0;       // ms between sysmon's SCHED lines; 0: none
  int32_t scheddetail = 0;      // schedtrace prints every P, M and task too
  int32_t shutdown = 0;         // report unfinished work at exit
  int32_t callbacks = 0;        // report each callback freed with calls in flight
  int32_t deadlock = 0;         // report tasks asleep with nothing to wake them
  int32_t cbcheck = 0;          // checked callbacks (callbacks/cbcheck.cpp)
  int32_t asyncpreemptoff = 0;  // no preemption signal (as CBRIDGE_ASYNCPREEMPT=0)
  int32_t preemptnolock = 0;    // testing: signal Ms in foreign code too
};

// debug is CBRIDGE_DEBUG as parsed at load; read-only after that.
extern DebugVars debug;

// parseDebugVars parses s (CBRIDGE_DEBUG's value; nullptr is empty) into
// *dv, starting from zero. Items are `key=value` with a non-negative
// decimal value, or a bare `key` meaning key=1; `all` sets every report
// key to 1; a later item overrides an earlier one. Unknown keys and
// malformed values are skipped: if there were any, warn receives one line
// naming them and the known keys (without "cbridge: " or a newline) and
// the result is false.
bool parseDebugVars(const char* s, DebugVars* dv, char* warn, size_t warnSize);

// debugValue is the value CBRIDGE_DEBUG gave key, 0 if none or unknown.
int64_t debugValue(const char* key);

// debugEnabled says whether the report or switch named what is on:
// CBRIDGE_DEBUG gave it a non-zero value, or addDebugFlags its bit. By
// default the runtime is quiet, as Go's is.
bool debugEnabled(const char* what);

// addDebugFlags turns on, besides what CBRIDGE_DEBUG names, the reports of
// cbridge.h's CBRIDGE_DEBUG_* bits (cbridge_config.debug): 1 "shutdown",
// 2 "callbacks", 4 "deadlock". Called before the runtime starts, since
// some reports read their setting once.
void addDebugFlags(uint32_t bits);

}  // namespace cbridge::rt
