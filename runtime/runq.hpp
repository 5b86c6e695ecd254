// Run queues: each P's bounded local queue and the global queue.
#pragma once

#include "runtime/runtime2.hpp"

namespace cbridge::rt {

// runqput puts gp on pp's local queue (in runnext if next), overflowing
// half of the queue to the global queue when full. Only pp's owner calls it.
void runqput(P* pp, G* gp, bool next);
// runqget takes a G from pp's local queue; only pp's owner calls it.
G* runqget(P* pp);
bool runqempty(P* pp);
// runqsteal moves about half of p2's queue to pp's and returns one of the
// stolen Gs, or nullptr.
G* runqsteal(P* pp, P* p2, bool stealRunNextG);

// The global queue; callers hold sched->lock.
void globrunqput(G* gp);
void globrunqputbatch(G* head, G* tail, int32_t n);
G* globrunqget(P* pp, int32_t max);

}  // namespace cbridge::rt
