// SPDX-License-Identifier: MIT
// The execution trace's buffers and writers, shared by the recorder
// (trace.cpp) and the JSON writer (trace_json.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "runtime/trace.hpp"

namespace cbridge::rt {

// One event: 32 bytes, so that a buffer line holds two.
struct TraceRecord {
  int64_t ts;  // nanotime
  uint64_t g;
  uint64_t a;
  uint32_t b;
  TraceEv kind;
  uint8_t flag;
};
static_assert(sizeof(TraceRecord) == 32);

struct TraceWriter;

// A buffer of one writer's events, in the order it recorded them: a
// header and cap records after it.
struct TraceBuf {
  static constexpr uint32_t kEvents = 2046;  // with the header, 64 KiB
  // A thread without an M starts with a small one: such threads may be
  // many (C threads readying a task now and then), each its own writer.
  static constexpr uint32_t kFirstThreadEvents = 62;
  TraceBuf* link = nullptr;  // the full list's link, set before the push
  TraceWriter* w = nullptr;  // whose events
  uint64_t session = 0;      // the trace it belongs to (trace.cpp)
  uint32_t seq = 0;          // its place among its writer's buffers
  uint32_t n = 0;
  uint32_t cap = 0;
  int tid = 0;                  // the OS thread that filled it
  const char* name = nullptr;   // that thread's static name (traceThreadName), or nullptr
  TraceRecord* ev() { return reinterpret_cast<TraceRecord*>(this + 1); }
  const TraceRecord* ev() const { return reinterpret_cast<const TraceRecord*>(this + 1); }
};
static_assert(sizeof(TraceBuf) % alignof(TraceRecord) == 0);

// A writer is the one thread recording into a buffer at a time: an M's
// (held by the thread the M is bound to) or a thread's without an M. It
// is never freed: the registry (trace.cpp) lists every writer ever made,
// and a thread's is its for good (a thread-exit hook that handed it on
// ran where ThreadSanitizer cannot follow: glibc's TLS destructors).
struct TraceWriter {
  // 1 while the owner records (the protocol is in trace.cpp).
  std::atomic<uint32_t> writing{0};
  // The buffer being filled: the owner's while it records, the stopper's
  // while tracing is off and writing is 0.
  TraceBuf* buf = nullptr;
  uint32_t nbufs = 0;    // buffers it filled in this trace; with buf
  uint64_t dropped = 0;  // events lost to the size limit; with buf
  // Its M, set before the registry's push publishes it and not changed
  // after: mid is -1 for a thread without an M.
  int64_t mid = -1;
  bool extra = false;
  TraceWriter* next = nullptr;  // the registry's link, set before the push
};

// traceWriteJSON writes the events of bufs (whose writers are quiet) as
// Chrome trace event JSON, times relative to start; it returns 0 or an
// errno.
int traceWriteJSON(FILE* f, std::vector<TraceBuf*>& bufs, int64_t start, int64_t end,
                   uint64_t dropped);

}  // namespace cbridge::rt
