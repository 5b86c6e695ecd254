// SPDX-License-Identifier: MIT
// The public task API (cbridge/task.hpp) over the scheduler.
#include <chrono>

#include "cbridge/task.hpp"
#include "runtime/attributes.hpp"
#include "runtime/note.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/sleep.hpp"
#include "runtime/timers.hpp"
#include "runtime/waiter.hpp"

namespace cbridge {

namespace detail {

// The return address is in the caller's go() (an inline template):
// where the task was created, for the dump.
bool spawn(TaskFn* fn, size_t stackSize) {
  return rt::newproc(fn, stackSize, reinterpret_cast<uintptr_t>(CBRIDGE_RETURN_ADDRESS()));
}

namespace {
// Runs the caller's body, then wakes the OS thread waiting in runAndWait.
class WaitedTaskFn final : public TaskFn {
 public:
  WaitedTaskFn(TaskFn* body, rt::Note* done, bool counted)
      : body_(body), done_(done), counted_(counted) {}
  ~WaitedTaskFn() override { delete body_; }
  void run() override {
    body_->run();
    if (counted_) rt::threadWoken();
    done_->wakeup();
  }

 private:
  TaskFn* body_;
  rt::Note* done_;
  bool counted_;  // the waiting thread is counted in threadsBlocked
};
}  // namespace

bool runAndWait(TaskFn* fn, size_t stackSize) {
  rt::Note done;
  // Counted asleep before the task can end and uncount us.
  bool counted = rt::threadBlocking();
  if (!rt::newproc(new WaitedTaskFn(fn, &done, counted), stackSize,
                   reinterpret_cast<uintptr_t>(CBRIDGE_RETURN_ADDRESS()))) {
    if (counted) rt::threadWoken();
    return false;
  }
  rt::checkdeadBlocking();
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
