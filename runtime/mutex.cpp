// SPDX-License-Identifier: MIT
// cbridge::Mutex: a lock word with a fast path and a FIFO of parked
// waiters that unlock hands the lock to directly (no barging, no
// starvation; Go's sync.Mutex starvation mode, always on).
#include "cbridge/mutex.hpp"

#include <atomic>
#include <deque>

#include "runtime/preempt.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::detail {

// state: 0 unlocked, 1 locked, 2 locked with waiters queued. state moves
// 1→0 and 0→1 by CAS without qlock; every other change, and waiters, are
// under qlock. Invariant: waiters is non-empty only if state == 2.
struct MutexImpl {
  std::atomic<uint32_t> state{0};
  rt::Lock qlock{rt::LockRank::MutexQueue};
  std::deque<rt::Waiter*> waiters GUARDED_BY(qlock);
};

}  // namespace cbridge::detail

namespace cbridge {

Mutex::Mutex() : impl_(new detail::MutexImpl) {}
Mutex::~Mutex() = default;

bool Mutex::try_lock() {
  uint32_t expected = 0;
  // acquire: the critical section sees the previous holder's writes.
  return impl_->state.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                              std::memory_order_relaxed);
}

void Mutex::lock() {
  rt::checkPreempt();
  if (try_lock()) return;
  detail::MutexImpl& mu = *impl_;
  rt::Waiter w;
  mu.qlock.lock();
  for (;;) {
    uint32_t s = mu.state.load(std::memory_order_relaxed);
    if (s == 0) {
      if (mu.state.compare_exchange_weak(s, 1, std::memory_order_acquire)) {
        mu.qlock.unlock();
        return;
      }
      continue;
    }
    // Mark "waiters queued" so the holder's unlock takes the slow path.
    if (s == 1 && !mu.state.compare_exchange_weak(s, 2, std::memory_order_relaxed)) continue;
    break;
  }
  mu.waiters.push_back(&w);
  w.parkUnlock(mu.qlock, rt::WaitReason::Mutex);
  // unlock handed us the lock (state stayed non-zero); the acquire is the
  // wakeup's: goready and Note::wakeup order the holder's writes before it.
}

void Mutex::unlock() {
  detail::MutexImpl& mu = *impl_;
  uint32_t expected = 1;
  // release: publishes the critical section to the next holder.
  if (mu.state.compare_exchange_strong(expected, 0, std::memory_order_release,
                                       std::memory_order_relaxed))
    return;
  if (expected == 0) rt::fatal("sync: unlock of unlocked cbridge::Mutex");
  mu.qlock.lock();
  rt::Waiter* next = mu.waiters.front();
  mu.waiters.pop_front();
  // Hand off: the lock stays held, now by next.
  mu.state.store(mu.waiters.empty() ? 1 : 2, std::memory_order_release);
  mu.qlock.unlock();
  next->wake();
}

}  // namespace cbridge
