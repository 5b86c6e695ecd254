// SPDX-License-Identifier: MIT
// Timers: a global heap ordered by when, run by the Ms in findRunnable.
//
// The protocol (a single-heap simplification of Go 1.19's timer status
// machine, runtime/time.go). Every field of a Timer that the runtime reads
// after arming (when, f, arg, status, heapIndex, running) is under the
// heap lock, so one operation on a timer — add, modify, delete, run — is
// atomic with respect to every other, from any thread:
//
//   Idle ──addtimer/modtimer──▶ Waiting ──runtimers pops it──▶ Idle (+running)
//     ▲                            │
//     └────────deltimer────────────┘
//
// runtimers pops a due timer, sets it Idle and counts it `running` before
// it drops the lock and calls f, as Go's runOneTimer clears a one-shot
// timer before calling f: f (or anyone) may re-arm it at once, and a
// re-armed timer is Waiting again while f still runs. `running` is what
// keeps memory safe: deltimer waits until no M is inside the timer's f, so
// that its owner may free the Timer as soon as deltimer returns (Go's
// garbage collector gives it that for free). A timer's f must not block and
// must not call deltimer on its own timer (it would wait for itself);
// addtimer and modtimer on its own timer are fine (periodic timers).
#pragma once

#include <atomic>
#include <cstdint>

namespace cbridge::rt {

enum class TimerStatus : uint32_t { Idle, Waiting };

// A Timer calls f(arg) on g0 of an M holding a P once `when` (nanotime) is
// reached. f must not block; it typically readies a task. The owner calls
// deltimer before destroying a Timer that was ever armed.
struct Timer {
  // when, f and arg may be written directly only while the Timer is Idle
  // and owned by one thread (before its first addtimer); afterwards through
  // modtimer, which writes them under the heap lock.
  int64_t when = 0;
  void (*f)(void*) = nullptr;
  void* arg = nullptr;
  // Under the heap lock: status Waiting iff the timer is in the heap at
  // heapIndex; running counts the Ms calling f right now (more than one
  // when f re-armed a timer that came due again at once).
  TimerStatus status = TimerStatus::Idle;
  int32_t heapIndex = -1;
  int32_t running = 0;
  // The runtime's own bookkeeping timer (an idle runner's linger), left
  // out of timersArmed. Set before the first addtimer.
  bool internal = false;
};

// addtimer arms t. t must be Idle: adding a timer that is already armed is
// a runtime bug (fatal error), since it would sit in the heap twice.
void addtimer(Timer* t);
// modtimer arms t for when with f(arg), whatever its state: it moves a
// Waiting timer, adds an Idle one. It returns true if t was Waiting (it
// had not fired yet; Go's modtimer's pending).
bool modtimer(Timer* t, int64_t when, void (*f)(void*), void* arg);
// deltimer disarms t; it returns true if t was Waiting (it had not fired
// yet). When it returns, f is not running on any M (unless deltimer is
// called from f itself, which must not happen) and will not run unless t
// is armed again.
bool deltimer(Timer* t);
// runtimers runs every timer due at now and returns the when of the next
// one, or 0 if there is none. The caller holds a P.
int64_t runtimers(int64_t now);
// nextwhen is the when of the earliest timer, 0 if none; a hint read
// without the lock.
int64_t nextwhen();
// timersArmed is the number of Waiting timers that are not internal: a
// snapshot, for stats and tests.
int64_t timersArmed();

// whenAfter is the nanotime d nanoseconds from now (Go's when, time.go): a
// d of 0 or less is now, and a sum past int64's range saturates at its
// maximum, a time that never comes, instead of wrapping into the past and
// firing at once (nanoseconds::max(), INT64_MAX from C).
int64_t whenAfter(int64_t d);

}  // namespace cbridge::rt
