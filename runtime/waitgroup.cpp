// SPDX-License-Identifier: MIT
#include "runtime/waitgroup.hpp"

#include "cbridge/waitgroup.hpp"
#include "runtime/fatal.hpp"
#include "runtime/preempt.hpp"

namespace cbridge::detail {

bool waitgroupAdd(WaitGroupImpl& wg, int64_t delta) {
  rt::checkPreempt();
  std::vector<rt::Waiter*> release;
  wg.lock.lock();
  if (wg.counter + delta < 0) {
    wg.lock.unlock();
    return false;
  }
  wg.counter += delta;
  if (wg.counter == 0) release.swap(wg.waiters);
  wg.lock.unlock();
  for (rt::Waiter* w : release) w->wake();
  return true;
}

void waitgroupWait(WaitGroupImpl& wg) {
  rt::checkPreempt();
  wg.lock.lock();
  if (wg.counter == 0) {
    wg.lock.unlock();
    return;
  }
  rt::Waiter w;
  wg.waiters.push_back(&w);
  w.parkUnlock(wg.lock, rt::WaitReason::WaitGroup);
}

bool waitgroupHasWaiters(WaitGroupImpl& wg) {
  rt::LockGuard g(wg.lock);
  return !wg.waiters.empty();
}

}  // namespace cbridge::detail

namespace cbridge {

WaitGroup::WaitGroup() : impl_(new detail::WaitGroupImpl) {}
WaitGroup::~WaitGroup() = default;

void WaitGroup::add(int64_t delta) {
  if (!detail::waitgroupAdd(*impl_, delta)) rt::fatal("sync: negative cbridge::WaitGroup counter");
}

void WaitGroup::wait() { detail::waitgroupWait(*impl_); }

}  // namespace cbridge
