#include "cbridge/waitgroup.hpp"

#include <vector>

#include "runtime/preempt.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::detail {

// counter and waiters under lock. Invariant: waiters is empty whenever
// counter == 0 (reaching zero releases them all).
struct WaitGroupImpl {
  rt::Lock lock{rt::LockRank::WaitGroup};
  int64_t counter GUARDED_BY(lock) = 0;
  std::vector<rt::Waiter*> waiters GUARDED_BY(lock);
};

}  // namespace cbridge::detail

namespace cbridge {

WaitGroup::WaitGroup() : impl_(new detail::WaitGroupImpl) {}
WaitGroup::~WaitGroup() = default;

void WaitGroup::add(int64_t delta) {
  rt::checkPreempt();
  detail::WaitGroupImpl& wg = *impl_;
  std::vector<rt::Waiter*> release;
  wg.lock.lock();
  wg.counter += delta;
  if (wg.counter < 0) {
    wg.lock.unlock();
    rt::fatal("sync: negative cbridge::WaitGroup counter");
  }
  if (wg.counter == 0) release.swap(wg.waiters);
  wg.lock.unlock();
  for (rt::Waiter* w : release) w->wake();
}

void WaitGroup::wait() {
  rt::checkPreempt();
  detail::WaitGroupImpl& wg = *impl_;
  wg.lock.lock();
  if (wg.counter == 0) {
    wg.lock.unlock();
    return;
  }
  rt::Waiter w;
  wg.waiters.push_back(&w);
  w.parkUnlock(wg.lock);
}

}  // namespace cbridge
