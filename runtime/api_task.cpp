// SPDX-License-Identifier: MIT
// The public task API (cbridge/task.hpp) over the scheduler.
#include <chrono>

#include "cbridge/task.hpp"
#include "runtime/note.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/proc.hpp"
#include "runtime/sleep.hpp"
#include "runtime/timers.hpp"

namespace cbridge {

namespace detail {

// The return address is in the caller's go() (an inline template):
// where the task was created, for the dump.
bool spawn(TaskFn* fn, size_t stackSize) {
  return rt::newproc(fn, stackSize, reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
}

namespace {
// Runs the caller's body, then wakes the OS thread waiting in runAndWait.
class WaitedTaskFn final : public TaskFn {
 public:
  WaitedTaskFn(TaskFn* body, rt::Note* done) : body_(body), done_(done) {}
  ~WaitedTaskFn() override { delete body_; }
  void run() override {
    body_->run();
    done_->wakeup();
  }

 private:
  TaskFn* body_;
  rt::Note* done_;
};
}  // namespace

bool runAndWait(TaskFn* fn, size_t stackSize) {
  rt::Note done;
  if (!rt::newproc(new WaitedTaskFn(fn, &done), stackSize,
                   reinterpret_cast<uintptr_t>(__builtin_return_address(0))))
    return false;
  done.sleep();
  return true;
}

}  // namespace detail

void yield() {
  if (rt::getg() != nullptr)
    rt::gosched();
  else
    rt::osyield();
}

void sleep_for(std::chrono::nanoseconds d) {
  if (d.count() <= 0) {
    yield();
    return;
  }
  rt::sleepUntil(rt::whenAfter(d.count()));
}

bool in_task() { return rt::getg() != nullptr; }

uint64_t task_id() {
  rt::G* gp = rt::getg();
  return gp != nullptr ? gp->id : 0;
}

}  // namespace cbridge
