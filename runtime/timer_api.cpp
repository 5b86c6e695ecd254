// cbridge::Timer and cbridge::after over the runtime's timers.
//
// Every operation on a Timer's runtime timer is one atomic step under the
// heap lock (timers.hpp): stop() is deltimer, reset() is modtimer, so
// concurrent resets and stops from any tasks and threads leave the timer
// armed at most once, and a stop() that returns true means this arming
// never fired, so f will not run for it. Destroying a Timer disarms it and
// waits until no M is inside fireTimer (deltimer's guarantee); the task
// fireTimer started has its own copy of f.
#include <atomic>
#include <functional>

#include "cbridge/task.hpp"
#include "cbridge/timer.hpp"
#include "runtime/fatal.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/proc.hpp"
#include "runtime/timers.hpp"

namespace cbridge::detail {

struct TimerImpl {
  rt::Timer t;
  std::function<void()> f;  // immutable after construction
  // Made (or reset) after shutdown: never armed (Timer's doc). Relaxed: a
  // flag that only ever goes false → true and orders nothing.
  std::atomic<bool> inert{false};
};

}  // namespace cbridge::detail

namespace cbridge {

namespace {
// Runs on an M's g0: start f in its own task, as time.AfterFunc does.
void fireTimer(void* arg) {
  auto* impl = static_cast<detail::TimerImpl*>(arg);
  go(impl->f);
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
}  // namespace

Timer::Timer(std::chrono::nanoseconds d, std::function<void()> f)
    : impl_(new detail::TimerImpl) {
  if (!startedForTimer()) {
    impl_->inert.store(true, std::memory_order_relaxed);
    return;
  }
  impl_->f = std::move(f);
  impl_->t.f = fireTimer;
  impl_->t.arg = impl_.get();
  impl_->t.when = rt::whenAfter(d.count());
  rt::addtimer(&impl_->t);
}

Timer::~Timer() { rt::deltimer(&impl_->t); }

bool Timer::stop() { return rt::deltimer(&impl_->t); }

bool Timer::reset(std::chrono::nanoseconds d) {
  if (impl_->inert.load(std::memory_order_relaxed) || !startedForTimer()) {
    impl_->inert.store(true, std::memory_order_relaxed);
    rt::deltimer(&impl_->t);
    return false;
  }
  return rt::modtimer(&impl_->t, rt::whenAfter(d.count()), fireTimer, impl_.get());
}

Chan<Instant> after(std::chrono::nanoseconds d) {
  Chan<Instant> c(1);
  go([c, d]() mutable {
    sleep_for(d);
    c.try_send(std::chrono::steady_clock::now());
  });
  return c;
}

}  // namespace cbridge
