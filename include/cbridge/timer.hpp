// Timers: a function after a delay (Go's time.AfterFunc) and a channel
// that receives after a delay (time.After).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "cbridge/chan.hpp"

namespace cbridge {

namespace detail {
struct TimerImpl;
}

// Timer runs f in its own task once d has passed, unless stopped first.
// Destroying a Timer stops it. Made (or reset) after cbridge::shutdown()
// it never fires: one line on stderr per process says so, and stop() and
// reset() return false.
class Timer {
 public:
  Timer(std::chrono::nanoseconds d, std::function<void()> f);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // stop prevents f from running; true if that stopped it, false if it had
  // already fired or been stopped.
  bool stop();
  // reset stops the timer and arms it for d from now; the result is
  // stop()'s.
  bool reset(std::chrono::nanoseconds d);

 private:
  std::unique_ptr<detail::TimerImpl> impl_;
};

using Instant = std::chrono::steady_clock::time_point;

// after returns a channel that receives the time once d has passed.
Chan<Instant> after(std::chrono::nanoseconds d);

}  // namespace cbridge
