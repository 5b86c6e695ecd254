// SPDX-License-Identifier: MIT
// The public runtime API (cbridge/runtime.hpp).
#include "cbridge/runtime.hpp"

#include "callbacks/extram.hpp"
#include "runtime/fatal.hpp"
#include "runtime/iobatch.hpp"
#include "runtime/netpoll.hpp"
#include "runtime/preempt.hpp"
#include "runtime/proc.hpp"
#include "runtime/stack.hpp"
#include "runtime/sysmon.hpp"
#include "runtime/timerfunc.hpp"
#include "runtime/timers.hpp"

namespace cbridge {

bool start(const Config& cfg) {
  if (cfg.maxprocs < 0 || cfg.maxprocs > 1024) {
    rt::usererror("start: Config::maxprocs=%d is not in [0, 1024]; the runtime was not started",
                  cfg.maxprocs);
    return false;
  }
  if (cfg.syscall_retake_ns < 0) {
    rt::usererror(
        "start: Config::syscall_retake_ns=%lld is negative; the runtime was not started",
        static_cast<long long>(cfg.syscall_retake_ns));
    return false;
  }
  if (cfg.force_preempt_ns != 0 &&
      (cfg.force_preempt_ns < 100000 || cfg.force_preempt_ns > 10000000000LL)) {
    rt::usererror(
        "start: Config::force_preempt_ns=%lld is not 0 or in [100000, 10000000000] (100 µs to "
        "10 s); the runtime was not started",
        static_cast<long long>(cfg.force_preempt_ns));
    return false;
  }
  if (!rt::schedinit(rt::Config{cfg.maxprocs, cfg.stack_size, cfg.syscall_retake_ns,
                                cfg.force_preempt_ns})) {
    rt::usererror(
        "start: the runtime is already running (started explicitly or by first use) or was shut "
        "down; call start() once, before any other cbridge call");
    return false;
  }
  return true;
}

void shutdown() { rt::shutdown(1000000000); }

void set_default_stack_size(size_t bytes) { rt::setDefaultStackSize(bytes); }

Stats stats() {
  Stats s{};
  rt::TaskCounts tc = rt::taskcounts();
  s.tasks_created = tc.started;
  s.tasks_live = tc.live;
  s.ms_created = rt::sched->msCreated.load(std::memory_order_relaxed);
  {
    rt::LockGuard g(rt::sched->lock);
    s.ms_idle = rt::sched->nmidle;
  }
  s.procs = rt::sched->gomaxprocs;
  s.syscall_retakes = rt::retakeCount();
  {
    rt::LockGuard g(rt::sched->lock);
    for (rt::M* m = rt::sched->allms.load(std::memory_order_acquire); m != nullptr; m = m->alllink) {
      s.callbacks += m->callbacks.load(std::memory_order_relaxed);
      s.callback_cache_hits += m->cacheHits.load(std::memory_order_relaxed);
      s.stack_bound_updates += m->boundUpdates.load(std::memory_order_relaxed);
    }
  }
  cb::ExtraMStats es = cb::extramstats();
  s.extra_ms_idle = es.idle;
  s.extra_ms_in_use = es.inUse;
  s.extra_m_stacks_released = es.stacksReleased;
  rt::NetpollStats ns = rt::netpollstats();
  s.netpoll_events = ns.events;
  s.netpoll_stale = ns.stale;
  s.netpoll_breaks = ns.breaks;
  s.netpoll_breaks_lost = ns.breaksLost;
  s.netpoll_backend = ns.backend;
  rt::IobatchStats ib = rt::iobatchstats();
  s.iobatch = ib.mechanism;
  s.iobatch_calls = ib.calls;
  s.iobatch_submits = ib.submits;
  s.timers_armed = rt::timersArmed();
  rt::TimerfuncStats tf = rt::timerfuncstats();
  s.timer_runners = tf.runnersStarted;
  s.timer_funcs = tf.funcsRun;
  rt::PreemptStats ps = rt::preemptstats();
  s.preempt_attempts = ps.attempts;
  s.preempt_refused = ps.refused;
  s.preempt_async = ps.async;
  s.preempt_cooperative = ps.cooperative;
  s.preempt_ack_timeouts = ps.ackTimeouts;
  s.stacks_unguarded = rt::stacksUnguarded();
  return s;
}

}  // namespace cbridge
