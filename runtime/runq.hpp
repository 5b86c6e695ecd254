// SPDX-License-Identifier: MIT
// Run queues: each P's bounded local queue and the global queue.
#pragma once

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// runqput puts gp on pp's local queue (in runnext if next), overflowing
// half of the queue to the global queue when full. Only pp's owner calls it.
void runqput(P* pp, G* gp, bool next);
// runqget takes a G from pp's local queue; only pp's owner calls it.
// *inheritTime says whether it came from runnext (and so runs in the
// current time slice).
G* runqget(P* pp, bool* inheritTime = nullptr);
bool runqempty(P* pp);
// runqsteal moves about half of p2's queue to pp's and returns one of the
// stolen Gs, or nullptr.
G* runqsteal(P* pp, P* p2, bool stealRunNextG);

// The global queue; callers hold sched->lock. globrunqput with ready set
// queues a G readied from outside the Ps (see Sched::runqready), which the
// next schedule on any P takes first.
void globrunqput(G* gp, bool ready = false) REQUIRES(sched->lock);
void globrunqputbatch(G* head, G* tail, int32_t n) REQUIRES(sched->lock);
G* globrunqget(P* pp, int32_t max) REQUIRES(sched->lock);
// globrunqgetready takes the oldest G put with ready set, wherever it is
// in the queue, or returns nullptr if there is none.
G* globrunqgetready() REQUIRES(sched->lock);

// globrunqwait reports how many schedules (summed over the Ps) Gs waited
// on the global queue before a P took them: the most since the last
// reset, the last one, and how many were taken. A test's measure of
// starvation that counts work done by others, not time.
struct GlobrunqWait {
  uint32_t max;
  uint32_t last;
  uint64_t taken;
};
GlobrunqWait globrunqwait();
void resetGlobrunqwait();

}  // namespace cbridge::rt
