// SPDX-License-Identifier: MIT
// The type-erased body of a task. Internal to the public templates.
#pragma once

#include <cstddef>
#include <utility>

#include "cbridge/export.h"

namespace cbridge::detail {

// TaskFn owns a callable that a task runs once.
class TaskFn {
 public:
  virtual ~TaskFn() = default;
  virtual void run() = 0;
};

template <typename F>
class TaskFnOf final : public TaskFn {
 public:
  explicit TaskFnOf(F&& f) : f_(std::forward<F>(f)) {}
  void run() override { f_(); }

 private:
  std::decay_t<F> f_;
};

// spawn starts fn as a task with a stack of stackSize usable bytes (0: the
// default size) and takes ownership of fn. It returns false, having
// deleted fn and printed why, when the runtime was shut down.
CBRIDGE_EXPORT bool spawn(TaskFn* fn, size_t stackSize);

}  // namespace cbridge::detail
