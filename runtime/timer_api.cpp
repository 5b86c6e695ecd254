// SPDX-License-Identifier: MIT
// cbridge::Timer and cbridge::after over the runtime's timers.
//
// Timer (Go's AfterFunc): the runtime timer's function, fireTimer, runs on
// g0 of an M and only queues the user's function for the runner pool
// (timerfunc.cpp), which runs it as if in its own task. Every operation on
// the runtime timer is one atomic step under the heap lock (timers.hpp):
// stop() is deltimer, reset() is modtimer, so concurrent resets and stops
// from any tasks and threads leave the timer armed at most once, and a
// stop() that returns true means this arming never fired, so f will not
// run for it. The TimerImpl is shared by the handle and by each queued or
// running call of f (refs): destroying the Timer disarms it, waits until
// no M is inside fireTimer (deltimer's guarantee), and drops the handle's
// reference; a call of f already queued keeps the TimerImpl (and f) alive
// until it returns.
//
// after (Go's time.After): a runtime timer whose function, sendTime, does
// a non-blocking send of the time on the 1-buffered channel (Go's
// sendTime), on g0 of the M running timers: no task, no stack. The
// channel's state owns the timer (ChanCore::onFree): when the last handle
// goes, the timer is deleted (deltimer waits out a sendTime in progress)
// and freed, so an after() nobody waits for any more costs nothing.
#include <atomic>
#include <chrono>
#include <functional>

#include "cbridge/task.hpp"
#include "cbridge/timer.hpp"
#include "runtime/preempt.hpp"
#include "runtime/chan.hpp"
#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
#include "runtime/proc.hpp"
#include "runtime/timerfunc.hpp"
#include "runtime/timers.hpp"

namespace cbridge::detail {

struct TimerImpl {
  rt::Timer t;
  std::function<void()> f;  // immutable after construction
  // The handle's reference plus one per queued or running call of f.
  // acq_rel on release so the last one sees every use before deleting.
  std::atomic<int64_t> refs{1};
  // Made (or reset) after shutdown: never armed (Timer's doc). Relaxed: a
  // flag that only ever goes false → true and orders nothing.
  std::atomic<bool> inert{false};
};

}  // namespace cbridge::detail

namespace cbridge {

namespace {

void release(detail::TimerImpl* impl) {
  if (impl->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete impl;
}

// Runs on a runner task: the user's function, then its reference goes.
void runFunc(void* arg) {
  auto* impl = static_cast<detail::TimerImpl*>(arg);
  impl->f();
  release(impl);
}

// Runs on an M's g0: queue f, as time.AfterFunc's goFunc starts it.
// Relaxed increment: the handle's reference is held (its deltimer waits
// for us), so refs cannot reach 0 meanwhile; the queue's lock publishes
// it to the runner.
void fireTimer(void* arg) {
  auto* impl = static_cast<detail::TimerImpl*>(arg);
  impl->refs.fetch_add(1, std::memory_order_relaxed);
  if (!rt::timerfuncSubmit(runFunc, impl)) release(impl);
}

// startedForTimer starts the runtime if nothing has; after shutdown no M
// runs timers any more, so it says once per process that this one never
// fires.
bool startedForTimer() {
  if (rt::ensureStarted()) return true;
  static std::atomic<bool> reported{false};
  rt::usererrorOnce(&reported,
                    "cbridge::Timer made or reset after cbridge::shutdown(): it never fires "
                    "(stop() and reset() return false)");
  return false;
}

// The timer of an after() channel, owned by the channel's state.
struct AfterTimer {
  rt::Timer t;
  detail::ChanCore* c;
};

// sendTime runs on an M's g0: a send that never blocks, dropped if the
// buffer is full (the time is already there) or the channel was closed.
void sendTime(void* arg) {
  detail::ChanCore* c = static_cast<AfterTimer*>(arg)->c;
  Instant now = std::chrono::steady_clock::now();
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    return;
  }
  if (rt::Sudog* sg = c->recvq.dequeue()) {
    rt::Waiter* w = rt::sendToWaiter(c, sg, &now);
    c->lock.unlock();
    w->wake();
    return;
  }
  if (c->qcount < c->cap) rt::bufSend(c, &now);
  c->lock.unlock();
}

void freeAfterTimer(detail::ChanCore* c) {
  auto* a = static_cast<AfterTimer*>(c->owned);
  rt::deltimer(&a->t);
  delete a;
}

}  // namespace

Timer::Timer(std::chrono::nanoseconds d, std::function<void()> f)
    : impl_(new detail::TimerImpl) {
  if (!startedForTimer()) {
    impl_->inert.store(true, std::memory_order_relaxed);
    return;
  }
  impl_->f = std::move(f);
  impl_->t.when = rt::whenAfter(d.count());
  impl_->t.f = fireTimer;
  impl_->t.arg = impl_;
  rt::addtimer(&impl_->t);
}

Timer::~Timer() {
  rt::deltimer(&impl_->t);
  release(impl_);
}

bool Timer::stop() { return rt::deltimer(&impl_->t); }

bool Timer::reset(std::chrono::nanoseconds d) {
  rt::checkPreempt();
  rt::checkPreempt();
  if (impl_->inert.load(std::memory_order_relaxed) || !startedForTimer()) {
    impl_->inert.store(true, std::memory_order_relaxed);
    rt::deltimer(&impl_->t);
    return false;
  }
  return rt::modtimer(&impl_->t, rt::whenAfter(d.count()), fireTimer, impl_);
}

Chan<Instant> after(std::chrono::nanoseconds d) {
  rt::checkPreempt();
  Chan<Instant> c(1);
  if (!rt::ensureStarted()) {
    static std::atomic<bool> reported{false};
    rt::usererrorOnce(&reported,
                      "cbridge::after() called after cbridge::shutdown(): its channel never "
                      "receives");
    return c;
  }
  auto* a = new AfterTimer;
  a->c = c.core();
  a->t.when = rt::whenAfter(d.count());
  a->t.f = sendTime;
  a->t.arg = a;
  c.core()->owned = a;
  c.core()->onFree = freeAfterTimer;
  rt::addtimer(&a->t);
  return c;
}

}  // namespace cbridge
