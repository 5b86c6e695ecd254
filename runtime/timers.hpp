// Timers: a global heap ordered by when, run by the Ms in findRunnable.
#pragma once

#include <atomic>
#include <cstdint>

namespace cbridge::rt {

enum class TimerStatus : uint32_t { Idle, Waiting, Running };

// A Timer calls f(arg) on g0 of an M holding a P once `when` (nanotime) is
// reached. f must not block; it typically readies a task. The owner calls
// deltimer before destroying an armed or fired Timer: the M that ran f may
// still be touching it until deltimer returns.
struct Timer {
  int64_t when = 0;
  void (*f)(void*) = nullptr;
  void* arg = nullptr;
  // status and heapIndex are under the timers lock; Running is set while f
  // runs outside it, and deltimer waits for it to end, so that a Timer can
  // be destroyed as soon as deltimer returns.
  TimerStatus status = TimerStatus::Idle;
  int32_t heapIndex = -1;
};

// addtimer arms t (status must be Idle).
void addtimer(Timer* t);
// deltimer disarms t; it returns true if t had not fired yet. When it
// returns, f is not running and will not run.
bool deltimer(Timer* t);
// runtimers runs every timer due at now and returns the when of the next
// one, or 0 if there is none. The caller holds a P.
int64_t runtimers(int64_t now);
// nextwhen is the when of the earliest timer, 0 if none; a hint read
// without the lock.
int64_t nextwhen();

// whenAfter is the nanotime d nanoseconds from now (Go's when, time.go): a
// d of 0 or less is now, and a sum past int64's range saturates at its
// maximum, a time that never comes, instead of wrapping into the past and
// firing at once (nanoseconds::max(), INT64_MAX from C).
int64_t whenAfter(int64_t d);

}  // namespace cbridge::rt
