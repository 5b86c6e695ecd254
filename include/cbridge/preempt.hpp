// SPDX-License-Identifier: MIT
// Preemption: how a task that computes for long lets the others run.
//
// sysmon asks a task that has held its P for 10 ms (Config::force_preempt_ns)
// to stop, as Go's runtime does. The task stops at its next runtime call
// (channel, select, Mutex, WaitGroup, timers, go, the return of a foreign
// call, wait_fd and the net calls, yield) or at checkpoint(), and goes to the
// global run queue; inside preemptible(f) it is also stopped asynchronously,
// by a signal, wherever the code of f stands, unless that code is a
// library's. Foreign code (C called through cbridge) is never interrupted.
// See the README, "Preemption".
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "cbridge/export.h"

namespace cbridge {

namespace detail {
// The number of Ps whose running task sysmon has asked to stop and that
// have not yet stopped: non-zero while any request is pending. Relaxed: a
// late look only stops the task at its next check.
CBRIDGE_EXPORT extern std::atomic<uint32_t> preemptRequests;
CBRIDGE_EXPORT void checkpointSlow();
CBRIDGE_EXPORT void enterPreemptible();
CBRIDGE_EXPORT void leavePreemptible();
}  // namespace detail

// checkpoint yields the P if sysmon asked the calling task to stop (the
// task goes to the global run queue and resumes when a P takes it, maybe on
// another thread); otherwise it costs one load and a branch. Put it in long
// loops that make no runtime call. Outside tasks it does nothing.
inline void checkpoint() {
  if (detail::preemptRequests.load(std::memory_order_relaxed) != 0) [[unlikely]]
    detail::checkpointSlow();
}

// preemptible runs f() as a region whose code opted into asynchronous
// preemption, and returns what it returns. While it runs, a request to stop
// may interrupt the task at any instruction of code allowed to be
// interrupted (the main executable, and modules given to
// allow_preemption_in; never libc, libstdc++ or cbridge), save every
// register, and resume it later, maybe on another thread. Regions nest; a
// callback from C that runs inside a region starts outside any. The
// contract of f: no OS lock (pthread mutex, std::mutex) held across code
// that may be interrupted, and no thread_local state, since the task may
// resume on another thread. Outside tasks f just runs. Without the
// preemption signal (CBRIDGE_ASYNCPREEMPT=0, ThreadSanitizer builds, CPUs
// other than x86-64) the region is cooperative only.
template <class F>
decltype(auto) preemptible(F&& f) {
  struct Region {
    Region() { detail::enterPreemptible(); }
    ~Region() { detail::leavePreemptible(); }
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
  } region;
  return std::forward<F>(f)();
}

// allow_preemption_in lets preemptible regions be interrupted in the code
// of the loaded module (executable or shared object) that contains address,
// e.g. a function of a plugin. It returns false, with one line on stderr,
// if no module contains address, if the module is libc, libstdc++,
// libgcc, the dynamic loader, a sanitizer runtime or cbridge itself
// (whose code must never be interrupted), or if 32 modules are registered
// already. The main executable is allowed from the start.
CBRIDGE_EXPORT bool allow_preemption_in(const void* address);

}  // namespace cbridge
