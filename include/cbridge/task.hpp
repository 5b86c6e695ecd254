// SPDX-License-Identifier: MIT
// Tasks: start one, yield, sleep, and wait for one from an OS thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "cbridge/detail/task_fn.hpp"
#include "cbridge/export.h"

namespace cbridge {

// TaskOptions are the options of one task, given to go() or run().
struct TaskOptions {
  // Usable bytes, rounded up to a size class (at most a quarter more);
  // 0: the default (256 KiB unless set).
  size_t stack_size = 0;
};

// go starts f() as a new task (Go's go statement). The runtime starts with
// its defaults on first use. Returns false, after printing why, if the
// runtime was shut down: f is then destroyed without running. An exception
// escaping f is a fatal error.
template <typename F>
bool go(TaskOptions opts, F&& f) {
  return detail::spawn(new detail::TaskFnOf<F>(std::forward<F>(f)), opts.stack_size);
}
template <typename F>
bool go(F&& f) {
  return go(TaskOptions{}, std::forward<F>(f));
}

// yield lets other tasks run (Go's runtime.Gosched); on an OS thread
// outside tasks it yields the thread.
CBRIDGE_EXPORT void yield();

// sleep_for parks the calling task for at least d; on an OS thread
// outside tasks it sleeps the thread.
CBRIDGE_EXPORT void sleep_for(std::chrono::nanoseconds d);

// in_task reports whether the caller runs as a task.
CBRIDGE_EXPORT bool in_task();
// task_id is the running task's id (1, 2, ...), 0 outside tasks.
CBRIDGE_EXPORT uint64_t task_id();

namespace detail {
// runAndWait runs fn as a task and blocks the calling OS thread until it
// returns; false: the runtime was shut down and fn did not run.
CBRIDGE_EXPORT bool runAndWait(TaskFn* fn, size_t stackSize);
}  // namespace detail

// run runs f() as a task and blocks the calling OS thread until it
// finishes, returning its result; an exception escaping f is rethrown
// here. Called from a task, it just calls f(). Throws std::runtime_error
// if the runtime was shut down.
template <typename F>
auto run(F&& f, TaskOptions opts = {}) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  if (in_task()) return f();
  std::exception_ptr err;
  if constexpr (std::is_void_v<R>) {
    auto body = [&] {
      try {
        f();
      } catch (...) {
        err = std::current_exception();
      }
    };
    if (!detail::runAndWait(new detail::TaskFnOf<decltype(body)>(std::move(body)), opts.stack_size))
      throw std::runtime_error("cbridge::run after cbridge::shutdown()");
    if (err) std::rethrow_exception(err);
  } else {
    std::optional<R> result;
    auto body = [&] {
      try {
        result.emplace(f());
      } catch (...) {
        err = std::current_exception();
      }
    };
    if (!detail::runAndWait(new detail::TaskFnOf<decltype(body)>(std::move(body)), opts.stack_size))
      throw std::runtime_error("cbridge::run after cbridge::shutdown()");
    if (err) std::rethrow_exception(err);
    return std::move(*result);
  }
}

}  // namespace cbridge
