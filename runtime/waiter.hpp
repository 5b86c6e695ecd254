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

// threadsBlocked counts OS threads (not tasks) asleep in a runtime wait
// that nothing has woken yet: main in run(), a C thread receiving from a
// channel. Such a thread cannot wake a task, so checkdead counts it among
// the threads it knows. threadBlocking is called by the sleeper before a
// waker can find it, and says whether it counted the thread (a runtime
// M's is counted as an M); threadWoken, for a counted one, by whoever
// wakes it, before the wakeup, so that a woken thread is never counted as
// asleep. seq_cst: checkdead reads it with every P idle and must see a
// waker's decrement that happened before its task parked.
bool threadBlocking();
void threadWoken();
int64_t threadsBlocked();
// checkdeadBlocking runs checkdead for a thread about to sleep, which
// holds no runtime lock: its sleep may be the last of a deadlock.
void checkdeadBlocking();

struct Waiter {
  G* g = getg();  // the blocked task, or nullptr for an OS thread
  Note note;      // what an OS thread sleeps on
  // A select waits on several channels at once: the first waker to CAS
  // selectDone 0→1 wins, the others skip this waiter's sudogs.
  std::atomic<uint32_t> selectDone{0};
  // The sudog that completed the wait, written by the waker before wake()
  // (whose release orders it) and read by the waiter after it resumes.
  Sudog* param = nullptr;
  // An OS thread's wait is counted in threadsBlocked (set by the sleeper
  // under the lock its wakers take, so they read it after).
  bool counted = false;

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
