// SPDX-License-Identifier: MIT
// WaitGroup: wait for a collection of tasks to finish (Go's sync.WaitGroup).
#pragma once

#include <cstdint>
#include <memory>

#include "cbridge/export.h"

namespace cbridge {

namespace detail {
struct WaitGroupImpl;
}

// WaitGroup counts work in flight; wait() blocks until the count is zero.
// Usable from tasks and from OS threads.
class CBRIDGE_EXPORT WaitGroup {
 public:
  WaitGroup();
  ~WaitGroup();
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // add adds delta to the counter; at zero every waiter is released. A
  // negative counter is a fatal error (Go: "sync: negative WaitGroup
  // counter").
  void add(int64_t delta);
  void done() { add(-1); }
  // wait blocks (parks the task, or blocks the OS thread) until the
  // counter is zero.
  void wait();

 private:
  std::unique_ptr<detail::WaitGroupImpl> impl_;
};

}  // namespace cbridge
