// SPDX-License-Identifier: MIT
// Starting, stopping and observing the runtime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "cbridge/export.h"

namespace cbridge {

// Config is the runtime's configuration, given to start().
struct Config {
  int maxprocs = 0;       // Ps; 0: env CBRIDGE_MAXPROCS, else the CPU count
  size_t stack_size = 0;  // default task stack in bytes; 0: 256 KiB
  // How long one foreign call may hold its P before sysmon hands the P to
  // another M, in nanoseconds; 0: 20 µs (Go's value).
  int64_t syscall_retake_ns = 0;
  // How long a task may hold its P before sysmon asks it to stop (Go's
  // forcePreemptNS), in nanoseconds, from 100 µs to 10 s (start() refuses
  // other values and says so); 0: env CBRIDGE_FORCE_PREEMPT_NS, else 10 ms.
  // See preempt.hpp.
  int64_t force_preempt_ns = 0;
};

// start starts the runtime with cfg. Without it the runtime starts with
// its defaults on first use. Returns false, after printing why, if the
// runtime is already running or was shut down.
CBRIDGE_EXPORT bool start(const Config& cfg = {});

// shutdown stops the runtime: new tasks and callbacks are refused (go()
// returns false, a callback a zero result, one line each); callbacks from
// foreign code in flight run to completion, with the scheduler running,
// and the runtime stops when the last one returns (a line says so);
// otherwise idle threads exit, running tasks finish their current run, and
// tasks that never finished are reported on stderr ("cbridge: shutdown
// with N task(s) not finished ..."). It waits at most one second, only for
// threads whose task holds a P (never for foreign calls or threads the
// runtime did not make), and never hangs. The runtime cannot be started
// again. At exit it is not called: exit freezes the world at once and
// quietly (the report is under CBRIDGE_DEBUG=shutdown; see the README).
CBRIDGE_EXPORT void shutdown();

// set_default_stack_size sets the usable stack size of tasks started from
// now on without their own (at least 4 pages, rounded up to a
// stack size class: at most a quarter more; powers of two are classes).
CBRIDGE_EXPORT void set_default_stack_size(size_t bytes);

// Stats are the runtime's counters, read by stats().
struct Stats {
  uint64_t tasks_created;  // tasks ever started
  int64_t tasks_live;      // started and not finished
  uint64_t ms_created;     // OS threads the scheduler created
  int32_t ms_idle;         // of those, parked waiting for work
  int32_t procs;           // Ps (GOMAXPROCS)
  uint64_t syscall_retakes;   // Ps sysmon took from Ms in long foreign calls
  uint64_t preempt_attempts;  // sysmon's requests to stop a task (preemptM)
  uint64_t preempt_refused;   // of those, refused because the M was in foreign code
  uint64_t preempt_async;        // tasks stopped by the signal in a preemptible region
  uint64_t preempt_cooperative;  // tasks stopped at a runtime call or checkpoint()
  // Preemption signals whose handler had not run 1 ms after they were sent
  // (the thread was descheduled, or blocks the signal); the M takes the
  // handshake back itself once the handler ran.
  uint64_t preempt_ack_timeouts;
  uint64_t callbacks;            // calls of callbacks from foreign code served
  uint64_t callback_cache_hits;  // of those, on a thread that had its M already
  uint64_t extra_ms_idle;        // extra Ms (for foreign threads) waiting for a thread
  uint64_t extra_ms_in_use;      // extra Ms bound to a foreign thread
  // Idle extra Ms' task stacks given back to the OS: beyond 8 idle extra
  // Ms at once, and those 8 after a scavenge period (2 s) without use.
  uint64_t extra_m_stacks_released;
  uint64_t stack_bound_updates;  // system-stack bounds refreshed for a callback on a new stack
  uint64_t netpoll_events;       // ready events delivered to a current pollDesc
  uint64_t netpoll_stale;        // events for a closed (or reused) fd, dropped
  uint64_t netpoll_breaks;       // break (wake-up) entries drained by a blocking poll
  uint64_t netpoll_breaks_lost;  // breaks drained by a poll that did not block: lost wake-ups, kept 0
  // Task stacks handed out without a guard region, ever: made while the
  // process was near vm.max_map_count (see the README), where an
  // overflow goes undetected. 0 while the limit is far.
  uint64_t stacks_unguarded;
  int64_t timers_armed;          // runtime timers waiting to fire (Timer, after, sleeps, deadlines)
  uint64_t timer_runners;        // runner tasks ever started to run Timer functions
  uint64_t timer_funcs;          // Timer functions run (counted as each starts)
  // The netpoller's backend: "epoll" or "io_uring" (CBRIDGE_NETPOLL; see
  // the README), "iocp" on Windows, "none" until the first pollable file
  // started it.
  const char* netpoll_backend;
  // The I/O batch: "io_uring" when the socket reads and writes of a P's
  // tasks go to the kernel together, one system call per batch; "off"
  // when CBRIDGE_IOBATCH=off or io_uring is missing or refused (each
  // call is then its own system call), and on Windows. See the README.
  const char* iobatch;
  uint64_t iobatch_calls;    // socket calls made through a batch
  uint64_t iobatch_submits;  // system calls (io_uring_enter) that made them
};

// stats reads the runtime's counters (each read alone: not one snapshot).
CBRIDGE_EXPORT Stats stats();

// dump writes what SIGQUIT prints to out, without exiting: every task
// (state, what it waits for and since when, stack, creation site) and
// every M. It flushes out first; from a signal handler use cbridge_dump
// (cbridge.h) with a file descriptor, which is async-signal-safe.
CBRIDGE_EXPORT void dump(std::FILE* out);

}  // namespace cbridge
