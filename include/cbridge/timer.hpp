// SPDX-License-Identifier: MIT
// Timers: a function after a delay (Go's time.AfterFunc) and a channel
// that receives after a delay (time.After).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "cbridge/chan.hpp"
#include "cbridge/export.h"

namespace cbridge {

namespace detail {
struct TimerImpl;
}

// Timer runs f once d has passed, unless stopped first (Go's AfterFunc).
// f runs as if in its own task: on one of a pool of runner tasks, which
// run queued functions one after the other; f may block (park), and the
// functions due after it then get another runner. stop() and reset() may
// be called from any task or thread, concurrently. Destroying a Timer
// stops it; a call of f already started (or queued) still runs, with f
// kept alive until it returns. Made (or reset) after cbridge::shutdown()
// it never fires: one line on stderr per process says so, and stop() and
// reset() return false.
class CBRIDGE_EXPORT Timer {
 public:
  // Timer arms a timer that runs f once d has passed.
  Timer(std::chrono::nanoseconds d, std::function<void()> f);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // stop prevents f from running; true if that stopped it (f will not run
  // for this arming), false if it had already fired or been stopped. It
  // does not wait for a call of f already started.
  bool stop();
  // reset arms the timer for d from now, in one step with respect to other
  // stop()s and reset()s; true if it was armed and had not fired yet
  // (stop()'s result). f may reset its own timer (a periodic timer).
  bool reset(std::chrono::nanoseconds d);

 private:
  detail::TimerImpl* impl_;  // shared with queued calls of f (see timer_api.cpp)
};

using Instant = std::chrono::steady_clock::time_point;  // what after()'s channel receives

// after returns a channel that receives the time once d has passed (Go's
// time.After). It costs a timer, no task: when the last handle to the
// channel goes before then, the timer is stopped and freed.
CBRIDGE_EXPORT Chan<Instant> after(std::chrono::nanoseconds d);

}  // namespace cbridge
