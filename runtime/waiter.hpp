// SPDX-License-Identifier: MIT
// Waiter: whoever blocks in a channel, mutex, wait group or sleep — a task
// (parked on its M) or a plain OS thread (asleep on a Note). Every blocking
// primitive is written once against this, so all of them work from tasks
// and from threads the runtime never created.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/lock.hpp"
#include "runtime/note.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

struct Sudog;

struct Waiter {
  G* g = getg();  // the blocked task, or nullptr for an OS thread
  Note note;      // what an OS thread sleeps on
  // A select waits on several channels at once: the first waker to CAS
  // selectDone 0→1 wins, the others skip this waiter's sudogs.
  std::atomic<uint32_t> selectDone{0};
  // The sudog that completed the wait, written by the waker before wake()
  // (whose release orders it) and read by the waiter after it resumes.
  Sudog* param = nullptr;

  // park blocks until wake(). unlockf(arg) runs once the waiter can no
  // longer miss a wakeup (for a task: on g0 after it switched away); it
  // releases the lock that wakers take, and returning false cancels the
  // wait.
  // reason and detail are what a task's dump and trace say it waits for
  // (gopark).
  void park(bool (*unlockf)(void*), void* arg, WaitReason reason, int64_t detail = 0);
  // parkUnlock parks with l's release as the unlockf: the common case of
  // a waiter queued under the lock its wakers take. l is released on this
  // thread (by g0, or by the task switched to, after the switch).
  void parkUnlock(Lock& l, WaitReason reason, int64_t detail = 0) RELEASE(l);
  void wake();
};

}  // namespace cbridge::rt
