// cbridge::Timer and cbridge::after over the runtime's timers.
#include <functional>

#include "cbridge/task.hpp"
#include "cbridge/timer.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/proc.hpp"
#include "runtime/timers.hpp"

namespace cbridge::detail {

struct TimerImpl {
  rt::Timer t;
  std::function<void()> f;
};

}  // namespace cbridge::detail

namespace cbridge {

namespace {
// Runs on an M's g0: start f in its own task, as time.AfterFunc does.
void fireTimer(void* arg) {
  auto* impl = static_cast<detail::TimerImpl*>(arg);
  go(impl->f);
}
}  // namespace

Timer::Timer(std::chrono::nanoseconds d, std::function<void()> f)
    : impl_(new detail::TimerImpl) {
  rt::ensureStarted();
  impl_->f = std::move(f);
  impl_->t.f = fireTimer;
  impl_->t.arg = impl_.get();
  impl_->t.when = rt::nanotime() + d.count();
  rt::addtimer(&impl_->t);
}

Timer::~Timer() { rt::deltimer(&impl_->t); }

bool Timer::stop() { return rt::deltimer(&impl_->t); }

bool Timer::reset(std::chrono::nanoseconds d) {
  bool stopped = rt::deltimer(&impl_->t);
  impl_->t.when = rt::nanotime() + d.count();
  rt::addtimer(&impl_->t);
  return stopped;
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
