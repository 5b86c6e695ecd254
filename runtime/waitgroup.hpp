// SPDX-License-Identifier: MIT
// The wait group under cbridge::WaitGroup and cbridge.h's
// cbridge_waitgroup (Go's sync.WaitGroup): one implementation, two faces
// that differ only in what a negative counter does (fatal in C++, as Go
// panics; an error result in C, which can check it).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/lock.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::detail {

// counter and waiters under lock. Invariants: counter >= 0; waiters is
// empty whenever counter == 0 (reaching zero releases them all).
struct WaitGroupImpl {
  rt::Lock lock{rt::LockRank::WaitGroup};
  int64_t counter GUARDED_BY(lock) = 0;
  std::vector<rt::Waiter*> waiters GUARDED_BY(lock);
};

// waitgroupAdd adds delta to the counter and releases the waiters at zero.
// It returns false, changing nothing, if the counter would go below zero.
bool waitgroupAdd(WaitGroupImpl& wg, int64_t delta);
// waitgroupWait parks (or blocks the thread) until the counter is zero.
void waitgroupWait(WaitGroupImpl& wg);
// waitgroupHasWaiters says whether a task or thread waits on wg now.
bool waitgroupHasWaiters(WaitGroupImpl& wg);

}  // namespace cbridge::detail

struct cbridge_waitgroup;
namespace cbridge::detail {
// capiWaitGroupImpl is the wait group under a cbridge.h one (for tests).
WaitGroupImpl* capiWaitGroupImpl(cbridge_waitgroup* wg);

}  // namespace cbridge::detail
