// SPDX-License-Identifier: MIT
// A port of Go's runqput/runqget/runqgrab/runqsteal (proc.go). The memory
// orders are Go's: the owner publishes new tail with release, consumers
// read head and tail with acquire and claim with a CAS on head that has
// release order (it "commits consume").
#include "runtime/runq.hpp"

#include "runtime/os.hpp"

namespace cbridge::rt {

namespace {

bool runqputslow(P* pp, G* gp, uint32_t h, uint32_t t) {
  G* batch[kRunqSize / 2 + 1];
  uint32_t n = (t - h) / 2;
  if (n != kRunqSize / 2) return false;  // the queue is not full after all
  for (uint32_t i = 0; i < n; i++)
    batch[i] = pp->runq[(h + i) % kRunqSize].load(std::memory_order_relaxed);
  // release: the slots we read are free for the owner to reuse only after
  // this commit.
  if (!pp->runqhead.compare_exchange_strong(h, h + n, std::memory_order_release,
                                            std::memory_order_relaxed))
    return false;
  batch[n] = gp;
  for (uint32_t i = 0; i < n; i++) batch[i]->schedlink = batch[i + 1];
  LockGuard g(sched->lock);
  globrunqputbatch(batch[0], batch[n], int32_t(n + 1));
  return true;
}

// runqgrab copies a batch of pp's Gs into batch starting at batchHead and
// returns how many; the copy is claimed by the CAS on pp's head.
uint32_t runqgrab(P* pp, std::atomic<G*>* batch, uint32_t batchHead, bool stealRunNextG) {
  for (;;) {
    uint32_t h = pp->runqhead.load(std::memory_order_acquire);
    uint32_t t = pp->runqtail.load(std::memory_order_acquire);
    uint32_t n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (stealRunNextG) {
        G* next = pp->runnext.load(std::memory_order_acquire);
        if (next != nullptr) {
          // pp's owner is probably about to run it; back off a little
          // before taking it, as Go does, so a ping-pong pair stays put.
          usleep(3);
          if (!pp->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel))
            continue;
          batch[batchHead % kRunqSize].store(next, std::memory_order_relaxed);
          return 1;
        }
      }
      return 0;
    }
    if (n > kRunqSize / 2) continue;  // read inconsistent h and t
    for (uint32_t i = 0; i < n; i++) {
      G* g = pp->runq[(h + i) % kRunqSize].load(std::memory_order_relaxed);
      batch[(batchHead + i) % kRunqSize].store(g, std::memory_order_relaxed);
    }
    if (pp->runqhead.compare_exchange_strong(h, h + n, std::memory_order_release,
                                             std::memory_order_relaxed))
      return n;
  }
}

}  // namespace

void runqput(P* pp, G* gp, bool next) {
  if (next) {
    G* old = pp->runnext.load(std::memory_order_relaxed);
    while (!pp->runnext.compare_exchange_weak(old, gp, std::memory_order_acq_rel)) {
    }
    if (old == nullptr) return;
    gp = old;  // kick the old runnext out to the regular queue
  }
  for (;;) {
    uint32_t h = pp->runqhead.load(std::memory_order_acquire);
    uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
    if (t - h < kRunqSize) {
      pp->runq[t % kRunqSize].store(gp, std::memory_order_relaxed);
      // release: makes the slot visible to consumers.
      pp->runqtail.store(t + 1, std::memory_order_release);
      return;
    }
    if (runqputslow(pp, gp, h, t)) return;
  }
}

G* runqget(P* pp, bool* inheritTime) {
  G* next = pp->runnext.load(std::memory_order_relaxed);
  // Only the owner sets runnext to non-null, so a failed CAS means a thief
  // took it to nullptr: no need to retry.
  if (next != nullptr &&
      pp->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
    if (inheritTime != nullptr) *inheritTime = true;
    return next;
  }
  if (inheritTime != nullptr) *inheritTime = false;
  for (;;) {
    uint32_t h = pp->runqhead.load(std::memory_order_acquire);
    uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
    if (t == h) return nullptr;
    G* gp = pp->runq[h % kRunqSize].load(std::memory_order_relaxed);
    if (pp->runqhead.compare_exchange_strong(h, h + 1, std::memory_order_release,
                                             std::memory_order_relaxed))
      return gp;
  }
}

bool runqempty(P* pp) {
  // Tasks waiting in the P's I/O batch are its work too (iobatch.hpp).
  // Go's careful read: tail, head, runnext, then tail again, so that a G
  // moving from runnext to the queue is not missed.
  for (;;) {
    uint32_t head = pp->runqhead.load(std::memory_order_acquire);
    uint32_t tail = pp->runqtail.load(std::memory_order_acquire);
    G* runnext = pp->runnext.load(std::memory_order_acquire);
    if (tail == pp->runqtail.load(std::memory_order_acquire))
      return head == tail && runnext == nullptr &&
             pp->iobatchPending.load(std::memory_order_relaxed) == 0;
  }
}

G* runqsteal(P* pp, P* p2, bool stealRunNextG) {
  uint32_t t = pp->runqtail.load(std::memory_order_relaxed);
  uint32_t n = runqgrab(p2, pp->runq, t, stealRunNextG);
  if (n == 0) return nullptr;
  n--;
  G* gp = pp->runq[(t + n) % kRunqSize].load(std::memory_order_relaxed);
  if (n == 0) return gp;
  pp->runqtail.store(t + n, std::memory_order_release);
  return gp;
}

namespace {

// schedticks sums the Ps' schedule counters; the caller holds sched.lock.
// Modulo 2^32: only differences of two sums are used.
uint32_t schedticks() {
  uint32_t n = 0;
  if (sched->allp == nullptr) return 0;  // a Sched without Ps (runq_test's)
  for (int32_t i = 0; i < sched->gomaxprocs; i++)
    n += sched->allp[i]->schedtick.load(std::memory_order_relaxed);
  return n;
}

// noteTaken records how long gp waited on the global queue.
void noteTaken(G* gp, uint32_t now) {
  if (gp->globrunqReady) {
    gp->globrunqReady = false;
    sched->runqready.store(sched->runqready.load(std::memory_order_relaxed) - 1,
                           std::memory_order_relaxed);
  }
  uint32_t waited = now - gp->globrunqTick;
  sched->globrunqWaitLast.store(waited, std::memory_order_relaxed);
  if (waited > sched->globrunqWaitMax.load(std::memory_order_relaxed))
    sched->globrunqWaitMax.store(waited, std::memory_order_relaxed);
  sched->globrunqTaken.store(sched->globrunqTaken.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
}

}  // namespace

void globrunqput(G* gp, bool ready) {
  gp->globrunqReady = ready;
  if (ready) sched->runqready.store(sched->runqready.load(std::memory_order_relaxed) + 1,
                                    std::memory_order_relaxed);
  gp->globrunqTick = schedticks();
  gp->schedlink = nullptr;
  if (sched->runqtail != nullptr)
    sched->runqtail->schedlink = gp;
  else
    sched->runqhead = gp;
  sched->runqtail = gp;
  sched->runqsize.fetch_add(1, std::memory_order_relaxed);
}

void globrunqputbatch(G* head, G* tail, int32_t n) {
  tail->schedlink = nullptr;
  uint32_t now = schedticks();
  for (G* g1 = head; g1 != nullptr; g1 = g1->schedlink) g1->globrunqTick = now;
  if (sched->runqtail != nullptr)
    sched->runqtail->schedlink = head;
  else
    sched->runqhead = head;
  sched->runqtail = tail;
  sched->runqsize.fetch_add(n, std::memory_order_relaxed);
}

G* globrunqget(P* pp, int32_t max) {
  int32_t size = sched->runqsize.load(std::memory_order_relaxed);
  if (size == 0) return nullptr;
  int32_t n = size / sched->gomaxprocs + 1;
  if (n > size) n = size;
  if (max > 0 && n > max) n = max;
  if (n > int32_t(kRunqSize / 2)) n = kRunqSize / 2;
  sched->runqsize.fetch_sub(n, std::memory_order_relaxed);
  uint32_t now = schedticks();
  G* gp = sched->runqhead;
  sched->runqhead = gp->schedlink;
  if (sched->runqhead == nullptr) sched->runqtail = nullptr;
  noteTaken(gp, now);
  n--;
  for (; n > 0; n--) {
    G* g1 = sched->runqhead;
    sched->runqhead = g1->schedlink;
    if (sched->runqhead == nullptr) sched->runqtail = nullptr;
    noteTaken(g1, now);
    runqput(pp, g1, false);
  }
  return gp;
}

G* globrunqgetready() {
  if (sched->runqready.load(std::memory_order_relaxed) == 0) return nullptr;
  // A walk from the head: ready Gs are few and the queue is short but for
  // many yielding tasks; the G we skip keep their order.
  G* prev = nullptr;
  for (G* gp = sched->runqhead; gp != nullptr; prev = gp, gp = gp->schedlink) {
    if (!gp->globrunqReady) continue;
    if (prev != nullptr)
      prev->schedlink = gp->schedlink;
    else
      sched->runqhead = gp->schedlink;
    if (sched->runqtail == gp) sched->runqtail = prev;
    gp->schedlink = nullptr;
    sched->runqsize.fetch_sub(1, std::memory_order_relaxed);
    noteTaken(gp, schedticks());
    return gp;
  }
  return nullptr;
}

GlobrunqWait globrunqwait() {
  return {sched->globrunqWaitMax.load(std::memory_order_relaxed),
          sched->globrunqWaitLast.load(std::memory_order_relaxed),
          sched->globrunqTaken.load(std::memory_order_relaxed)};
}

void resetGlobrunqwait() {
  LockGuard g(sched->lock);
  sched->globrunqWaitMax.store(0, std::memory_order_relaxed);
  sched->globrunqWaitLast.store(0, std::memory_order_relaxed);
}

}  // namespace cbridge::rt
