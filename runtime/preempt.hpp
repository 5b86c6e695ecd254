// SPDX-License-Identifier: MIT
// Preemption: sysmon's requests, the cooperative checks, and the handshake
// with foreign code (see preempt.cpp for the protocol).
#pragma once

#include <atomic>
#include <cstdint>

#include "cbridge/preempt.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// The states of M::preemptExtLock (its low two bits; a preemptor's cycle
// number is in the bits above).
constexpr uint64_t kExtFree = 0;
constexpr uint64_t kExtForeign = 1;
constexpr uint64_t kExtPreempting = 2;
constexpr uint64_t kExtStateMask = 3;

// preemptExtEnterSlow waits out a preemption in progress, then takes the
// lock.
void preemptExtEnterSlow(M* m);

// preemptExtEnter is called before entering foreign code: it takes
// preemptExtLock, waiting while a preemption of this M holds it. Inline:
// it is on the path of every foreign call.
inline void preemptExtEnter(M* m) {
  uint64_t expected = kExtFree;
  if (m->preemptExtLock.compare_exchange_strong(expected, kExtForeign, std::memory_order_acq_rel,
                                                std::memory_order_relaxed))
    return;
  preemptExtEnterSlow(m);
}
// preemptExtExit is called after returning from foreign code.
inline void preemptExtExit(M* m) { m->preemptExtLock.store(kExtFree, std::memory_order_release); }

// preemptWith runs one preemption cycle on mp: it takes mp's
// preemptExtLock (refusing, and returning false, when mp is in foreign
// code or another preemption holds it), calls interrupt(mp, cycle, arg)
// with the lock held, and releases the lock if interrupt returns true (the
// interruption is complete); if it returns false the lock stays held until
// the signal's handler acknowledges the cycle on mp's thread (see
// preempt.cpp). Either way it bumps mp->preemptGen when done.
bool preemptWith(M* mp, bool (*interrupt)(M*, uint64_t, void*), void* arg);

// preemptM asks mp's running task to stop (Go's preemptM): it signals mp's
// thread through the handshake, so the handler may stop a task in a
// preemptible region. It returns false when mp is in foreign code.
bool preemptM(M* mp);

// preemptone asks pp's running task to stop (Go's preemptone): the
// request flag on pp, then preemptM of its M. sysmon calls it for a slice
// older than forcePreemptNs; freezetheworld for every running P.
void preemptone(P* pp);

// preemptall asks the running task of every P but except to stop (Go's
// preemptall): the exit path and shutdown.
void preemptall(P* except);

// clearPreempt takes pp's request away, reporting whether there was one.
bool clearPreempt(P* pp);

// checkPreempt is the cooperative check at every runtime entry: with no
// request pending anywhere it is one load and a branch; otherwise the
// calling task yields to the global queue if its P was asked to stop.
// Call it holding no runtime lock.
inline void checkPreempt() { cbridge::checkpoint(); }

// preemptPark yields the calling task to the global queue if its P has a
// request (Go's gopreempt_m); cbridge::checkpoint's slow path.
void preemptPark();

// preemptinit reads the settings (CBRIDGE_FORCE_PREEMPT_NS,
// CBRIDGE_ASYNCPREEMPT) and installs the preemption signal's handler;
// schedinit calls it once. forcePreemptNs is 0 there: the environment or
// the default.
void preemptinit(int64_t forcePreemptNs);
int64_t forcePreemptNs();

// signalForeignMs interrupts every M in foreign code, ignoring its
// preemptExtLock (CBRIDGE_DEBUG=preemptnolock: see sigpreempt.hpp).
void signalForeignMs();

// countAsyncPreempt counts a preemption by the signal (asyncpreempt).
void countAsyncPreempt();

struct PreemptStats {
  uint64_t attempts;
  uint64_t refused;      // mp was in foreign code
  uint64_t async;        // stopped by the signal
  uint64_t cooperative;  // stopped at a runtime call or checkpoint
  uint64_t ackTimeouts;  // the handler had not run when the preemptor stopped waiting
};
PreemptStats preemptstats();

}  // namespace cbridge::rt
