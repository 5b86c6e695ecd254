// SPDX-License-Identifier: MIT
// The execution trace's public API: cbridge::trace_start/trace_stop and
// cbridge.h's cbridge_trace_start/cbridge_trace_stop, over trace.cpp.
#include <atomic>
#include <cstring>
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "cbridge/trace.hpp"
#include "runtime/trace.hpp"

namespace {
std::atomic<bool> nullReported{false};
}  // namespace

namespace cbridge {

int trace_start(const char* path) {
  if (path == nullptr)
    return bridge::misuse(&nullReported, CBRIDGE_ERR_ARGUMENT, "cbridge_trace_start: path is NULL");
  int err = rt::traceStart(path);
  if (err == EBUSY)
    return bridge::failWith(CBRIDGE_ERR_BUSY,
                            "cbridge_trace_start: a trace is already recording; stop it first");
  if (err != 0)
    return bridge::failWith(-err, "cbridge_trace_start: cannot create \"" + std::string(path) +
                                      "\": " + strerror(err));
  return CBRIDGE_OK;
}

int trace_stop() {
  int err = rt::traceStop();
  if (err != 0)
    return bridge::failWith(-err, std::string("cbridge_trace_stop: the trace could not be written: ") +
                                      strerror(err));
  return CBRIDGE_OK;
}

}  // namespace cbridge

extern "C" int cbridge_trace_start(const char* path) { return cbridge::trace_start(path); }

extern "C" int cbridge_trace_stop(void) { return cbridge::trace_stop(); }
