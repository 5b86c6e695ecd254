// SPDX-License-Identifier: MIT
// The callback, task and stats part of cbridge.h.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>

#include "bridge/last_error.hpp"
#include "cbridge/callback.hpp"
#include "cbridge/net.hpp"
#include "cbridge/cbridge.h"
#include "cbridge/runtime.hpp"
#include "cbridge/task.hpp"
#include "runtime/fatal.hpp"
#include "runtime/net_file.hpp"

struct cbridge_callback {
  cbridge::DynamicCallback cb;
};

extern "C" cbridge_callback* cbridge_callback_new(const char* signature, cbridge_handler h,
                                                  void* user) {
  if (signature == nullptr || h == nullptr) {
    cbridge::bridge::setLastError(std::string("cbridge_callback_new: ") +
                                  (signature == nullptr ? "signature" : "handler") + " is NULL");
    return nullptr;
  }
  try {
    return new cbridge_callback{
        cbridge::DynamicCallback(signature, [h, user](void* ret, void** args) { h(ret, args, user); })};
  } catch (const std::exception& e) {
    cbridge::bridge::setLastError(e.what());
    return nullptr;
  }
}

extern "C" void* cbridge_callback_fn(const cbridge_callback* cb) {
  return cb != nullptr ? cb->cb.fn() : nullptr;
}

extern "C" void cbridge_callback_free(cbridge_callback* cb) { delete cb; }

extern "C" int cbridge_go(void (*fn)(void*), void* arg) {
  if (fn == nullptr) {
    cbridge::bridge::setLastError("cbridge_go: fn is NULL");
    return CBRIDGE_ERR_ARGUMENT;
  }
  if (!cbridge::go([fn, arg] { fn(arg); })) {
    cbridge::bridge::setLastError(
        "cbridge_go: the runtime was shut down (or the process is exiting, or is a fork() "
        "child); the task was not started");
    return CBRIDGE_ERR_SHUTDOWN;
  }
  return CBRIDGE_OK;
}

extern "C" void cbridge_sleep_ns(int64_t ns) { cbridge::sleep_for(std::chrono::nanoseconds(ns)); }

extern "C" int cbridge_stat(const char* name, uint64_t* value) {
  if (name == nullptr || value == nullptr) {
    cbridge::bridge::setLastError("cbridge_stat: name or value is NULL");
    return CBRIDGE_ERR_ARGUMENT;
  }
  cbridge::Stats s = cbridge::stats();
  const struct {
    const char* name;
    uint64_t v;
  } table[] = {
      {"ms_created", s.ms_created},
      {"ms_idle", uint64_t(s.ms_idle)},
      {"extra_ms_idle", s.extra_ms_idle},
      {"extra_ms_in_use", s.extra_ms_in_use},
      {"extra_m_stacks_released", s.extra_m_stacks_released},
      {"callbacks", s.callbacks},
      {"callback_cache_hits", s.callback_cache_hits},
      {"stack_bound_updates", s.stack_bound_updates},
      {"tasks_created", s.tasks_created},
      {"tasks_live", uint64_t(s.tasks_live < 0 ? 0 : s.tasks_live)},
      {"procs", uint64_t(s.procs)},
      {"syscall_retakes", s.syscall_retakes},
      {"preempt_attempts", s.preempt_attempts},
      {"preempt_refused", s.preempt_refused},
      {"preempt_async", s.preempt_async},
      {"preempt_cooperative", s.preempt_cooperative},
      {"preempt_ack_timeouts", s.preempt_ack_timeouts},
      {"netpoll_events", s.netpoll_events},
      {"netpoll_stale", s.netpoll_stale},
      {"netpoll_breaks", s.netpoll_breaks},
      {"netpoll_breaks_lost", s.netpoll_breaks_lost},
      {"netpoll_uring", uint64_t(std::strcmp(s.netpoll_backend, "io_uring") == 0)},
      {"iobatch_uring", uint64_t(std::strcmp(s.iobatch, "io_uring") == 0)},
      {"iobatch_calls", s.iobatch_calls},
      {"iobatch_submits", s.iobatch_submits},
      {"stacks_unguarded", s.stacks_unguarded},
      {"timers_armed", uint64_t(s.timers_armed)},
      {"timer_runners", s.timer_runners},
      {"timer_funcs", s.timer_funcs},
  };
  for (const auto& e : table) {
    if (std::strcmp(e.name, name) == 0) {
      *value = e.v;
      return CBRIDGE_OK;
    }
  }
  cbridge::bridge::setLastError(std::string("cbridge_stat: unknown counter \"") + name +
                                "\" (see cbridge.h for the names)");
  return CBRIDGE_ERR_ARGUMENT;
}

extern "C" int64_t cbridge_current_m(void) { return cbridge::m_id(); }

extern "C" int cbridge_wait_fd(int fd, int mode, int64_t timeout_ns) {
  if (mode != CBRIDGE_WAIT_READ && mode != CBRIDGE_WAIT_WRITE) {
    cbridge::bridge::setLastError("cbridge_wait_fd: mode must be CBRIDGE_WAIT_READ or CBRIDGE_WAIT_WRITE");
    return CBRIDGE_ERR_ARGUMENT;
  }
  std::error_code e = cbridge::net::wait_fd(
      fd, mode == CBRIDGE_WAIT_READ ? cbridge::net::WaitMode::Read : cbridge::net::WaitMode::Write,
      std::chrono::nanoseconds(timeout_ns));
  if (!e) return 0;
  // wait_fd's errors are errnos; its word for the runtime's shutdown
  // (ESHUTDOWN, WSAESHUTDOWN on Windows) the C API names
  // CBRIDGE_ERR_SHUTDOWN.
  if (e == cbridge::net::detail::shutdownErr()) {
    cbridge::bridge::setLastError("cbridge_wait_fd: the runtime was shut down; no poller runs any more");
    return CBRIDGE_ERR_SHUTDOWN;
  }
  cbridge::bridge::setLastError("cbridge_wait_fd: " + e.message());
  return -e.value();
}
