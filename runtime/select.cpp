// SPDX-License-Identifier: MIT
// select over several channels (a port of Go's selectgo, select.go).
#include <algorithm>
#include <vector>

#include "runtime/preempt.hpp"
#include "runtime/chan.hpp"
#include "runtime/fatal.hpp"
#include "runtime/proc.hpp"

namespace cbridge::rt {

namespace {

// Locks is the set of channels of one select, in lock order (by address,
// so that two selects never deadlock); each channel is locked once.
struct Locks {
  std::vector<detail::ChanCore*> order;

  // A run-time set of channels, which the thread-safety analysis cannot
  // name: lockAll and unlockAll are outside it.
  void lockAll() NO_THREAD_SAFETY_ANALYSIS {
    detail::ChanCore* prev = nullptr;
    for (detail::ChanCore* c : order)
      if (c != prev) c->lock.lock(), prev = c;
  }
  void unlockAll() NO_THREAD_SAFETY_ANALYSIS {
    // Reverse order, and each channel once: after the last unlock the
    // select may be woken and its stack reused.
    for (size_t i = order.size(); i-- > 0;)
      if (i == 0 || order[i] != order[i - 1]) order[i]->lock.unlock();
  }
};

bool selparkcommit(void* arg) {
  static_cast<Locks*>(arg)->unlockAll();
  return true;
}

}  // namespace

}  // namespace cbridge::rt

namespace cbridge::detail {

using rt::Sudog;
using rt::Waiter;

SelectResult selectGo(SelectCase* cases, int n, bool block) {
  rt::checkPreempt();
  // pollorder: a random permutation of the cases with a channel, so that no
  // case starves; Go's Fisher-Yates insertion.
  std::vector<int> pollorder;
  pollorder.reserve(size_t(n));
  rt::Locks locks;
  locks.order.reserve(size_t(n));
  for (int i = 0; i < n; i++) {
    if (cases[i].c == nullptr) continue;
    size_t j = rt::fastrand() % (pollorder.size() + 1);
    pollorder.push_back(0);
    pollorder.back() = pollorder[j];
    pollorder[j] = i;
    locks.order.push_back(cases[i].c);
  }
  std::sort(locks.order.begin(), locks.order.end());
  if (pollorder.empty() && block) {
    // Every case is a nil channel: block forever, as Go does.
    Waiter w;
    w.park([](void*) { return true; }, nullptr, rt::WaitReason::ChanNil);
  }

  locks.lockAll();
  // Pass 1: look for something already waiting.
  for (int i : pollorder) {
    SelectCase& cas = cases[i];
    ChanCore* c = cas.c;
    if (cas.send) {
      if (c->closed) {
        locks.unlockAll();
        rt::throwClosed("send on closed channel");
      }
      if (Sudog* sg = c->recvq.dequeue()) {
        Waiter* w = rt::sendToWaiter(c, sg, cas.elem);
        locks.unlockAll();
        w->wake();
        return {i, false};
      }
      if (c->qcount < c->cap) {
        rt::bufSend(c, cas.elem);
        locks.unlockAll();
        return {i, false};
      }
    } else {
      if (Sudog* sg = c->sendq.dequeue()) {
        Waiter* w = rt::recvFromWaiter(c, sg, cas.elem);
        locks.unlockAll();
        w->wake();
        return {i, true};
      }
      if (c->qcount > 0) {
        rt::bufRecv(c, cas.elem);
        locks.unlockAll();
        return {i, true};
      }
      if (c->closed) {
        locks.unlockAll();
        return {i, false};
      }
    }
  }
  if (!block) {
    locks.unlockAll();
    return {-1, false};
  }

  // Pass 2: enqueue on every channel and park.
  Waiter w;
  std::vector<Sudog> sgs(static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    if (cases[i].c == nullptr) continue;
    Sudog& sg = sgs[size_t(i)];
    sg.w = &w;
    sg.elem = cases[i].elem;
    sg.c = cases[i].c;
    sg.isSelect = true;
    (cases[i].send ? cases[i].c->sendq : cases[i].c->recvq).enqueue(&sg);
  }
  w.park(rt::selparkcommit, &locks, rt::WaitReason::Select);

  // Pass 3: the waker chose one sudog (w.param); take the rest off their
  // queues.
  locks.lockAll();
  Sudog* won = w.param;
  int casi = -1;
  for (int i = 0; i < n; i++) {
    if (cases[i].c == nullptr) continue;
    Sudog* sg = &sgs[size_t(i)];
    if (sg == won)
      casi = i;
    else
      (cases[i].send ? cases[i].c->sendq : cases[i].c->recvq).remove(sg);
  }
  locks.unlockAll();
  if (casi < 0) rt::fatal("selectgo: bad wakeup");
  if (cases[casi].send && !won->success) rt::throwClosed("send on closed channel");
  return {casi, won->success};
}

}  // namespace cbridge::detail
