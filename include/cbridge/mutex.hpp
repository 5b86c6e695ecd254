// SPDX-License-Identifier: MIT
// Mutex: mutual exclusion that parks the waiting task (Go's sync.Mutex).
#pragma once

#include <memory>

#include "cbridge/export.h"

namespace cbridge {

namespace detail {
struct MutexImpl;
}

// Mutex is FIFO-fair: unlock hands the lock to the longest waiter. It may
// be used from tasks and from OS threads. Meets the Lockable requirements
// (std::lock_guard, std::unique_lock).
class CBRIDGE_EXPORT Mutex {
 public:
  Mutex();
  ~Mutex();
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock();      // parks the task (or blocks the thread) until the Mutex is ours
  bool try_lock();  // takes the Mutex only if it is free; false: not taken
  // unlock of an unlocked Mutex is a fatal error (Go: "sync: unlock of
  // unlocked mutex").
  void unlock();

 private:
  std::unique_ptr<detail::MutexImpl> impl_;
};

}  // namespace cbridge
