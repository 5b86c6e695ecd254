// SPDX-License-Identifier: MIT
// The execution trace (Go's trace.go): what tasks, Ms and sysmon did, with
// nanosecond times, written as Chrome trace event JSON for Perfetto.
//
// The hooks below sit on the scheduler's hot paths, so with tracing off
// each is one relaxed load of traceOn and a branch predicted not taken;
// everything else is out of line in trace.cpp, whose opening comment gives
// the protocol of the per-M buffers and of stopping.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

struct Waiter;

// The kinds of event. Which fields each uses is said here and read by
// trace_json.cpp; g is a task id (0: none).
enum class TraceEv : uint8_t {
  GoCreate,        // g: the new task; a: the creating task
  GoStart,         // g starts running on the writer's M
  GoStop,          // g leaves the writer's M (parks, yields, ends, waits for a P)
  GoPark,          // g parked; b: its WaitReason; a: the reason's detail (G::waitDetail)
  GoUnpark,        // g readied; a: the task that readied it (0: none, a thread)
  GoEnd,           // g finished
  ForeignEnter,    // g calls foreign code; a: the function's address
  ForeignExit,     // g is back from it
  CallbackEnter,   // g runs a callback; a: the calling OS thread; flag: nested
  CallbackExit,    // g returns to the callback's caller
  ProcRetake,      // sysmon took P a from an M in a foreign call
  PreemptRequest,  // a task on P a, M b, was asked to stop
  Preempted,       // g stopped for a preemption; flag: 1 async (the signal), 0 cooperative
  NetpollWait,     // g parks on fd a; flag: 'r' or 'w'
  NetpollReady,    // the netpoller readied g, waiting on fd a
  StackBounds,     // the writer's M's system stack is now [a, a + b); flag: exact
};

// traceOn is set while a trace records. Hooks read it relaxed: a stale
// value only drops or records one event at the edge of the trace, and
// the slow path rechecks it under the writer protocol (trace.cpp).
extern std::atomic<bool> traceOn;

inline bool tracing() { return traceOn.load(std::memory_order_relaxed); }

// traceEvent records one event on m's buffer (the calling thread's own
// buffer when m is nullptr). Only the thread holding m may pass it.
void traceEvent(M* m, TraceEv kind, uint64_t g, uint64_t a = 0, uint64_t b = 0, uint8_t flag = 0);

// traceinit starts the trace CBRIDGE_TRACE names, if any, and arranges
// for it to be written at exit; the runtime's start calls it.
void traceinit();

// traceStart starts a trace written to path when traceStop ends it (or at
// exit); they return 0 or an errno (EBUSY: a trace records already).
int traceStart(const char* path);
int traceStop();

// traceThreadName names the calling thread's track ("sysmon") when it
// records without an M. The name must be static.
void traceThreadName(const char* name);

// The hooks. G events are recorded by the thread that owns the G at that
// moment, so a task's events come in the order they happened.
// traceGoCreate: gp was made by the calling thread's task, if it runs one.
void traceGoCreateSlow(G* gp);
inline void traceGoCreate(G* gp) {
  if (tracing()) [[unlikely]]
    traceGoCreateSlow(gp);
}
inline void traceGoStart(M* m, G* gp) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::GoStart, gp->id);
}
inline void traceGoStop(M* m, G* gp) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::GoStop, gp->id);
}
void traceGoParkSlow(M* m, G* gp);
inline void traceGoPark(M* m, G* gp) {
  if (tracing()) [[unlikely]]
    traceGoParkSlow(m, gp);
}
void traceGoUnparkSlow(G* gp);
inline void traceGoUnpark(G* gp) {
  if (tracing()) [[unlikely]]
    traceGoUnparkSlow(gp);
}
inline void traceGoEnd(M* m, G* gp) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::GoEnd, gp->id);
}
inline void traceForeignEnter(M* m, G* gp, void (*fn)(void*)) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::ForeignEnter, gp->id, reinterpret_cast<uintptr_t>(fn));
}
inline void traceForeignExit(M* m, G* gp) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::ForeignExit, gp->id);
}
inline void traceCallbackEnter(M* m, G* gp, bool nested) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::CallbackEnter, gp->id, uint64_t(m->procid), 0, nested);
}
inline void traceCallbackExit(M* m, G* gp) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::CallbackExit, gp->id);
}
inline void traceProcRetake(P* pp) {
  if (tracing()) [[unlikely]]
    traceEvent(getm(), TraceEv::ProcRetake, 0, uint64_t(pp->id));
}
inline void tracePreemptRequest(P* pp, M* mp) {
  if (tracing()) [[unlikely]]
    traceEvent(getm(), TraceEv::PreemptRequest, 0, uint64_t(pp->id),
               mp != nullptr ? uint64_t(mp->id) : ~uint64_t(0));
}
inline void tracePreempted(M* m, G* gp, bool async) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::Preempted, gp->id, 0, 0, async);
}
inline void traceNetpollWait(G* gp, int fd, char mode) {
  if (gp != nullptr && tracing()) [[unlikely]]
    traceEvent(getm(), TraceEv::NetpollWait, gp->id, uint64_t(fd), 0, uint8_t(mode));
}
void traceNetpollReadySlow(int fd, Waiter* const (&woken)[2]);
inline void traceNetpollReady(int fd, Waiter* const (&woken)[2]) {
  if (tracing()) [[unlikely]]
    traceNetpollReadySlow(fd, woken);
}
inline void traceStackBounds(M* m) {
  if (tracing()) [[unlikely]]
    traceEvent(m, TraceEv::StackBounds, 0, m->g0lo, m->g0hi - m->g0lo, m->g0StackAccurate);
}

}  // namespace cbridge::rt
