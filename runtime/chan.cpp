// SPDX-License-Identifier: MIT
#include "runtime/preempt.hpp"
#include "runtime/chan.hpp"

#include <cstring>
#include <new>
#include <vector>

#include "cbridge/errors.hpp"
#include "runtime/fatal.hpp"

namespace cbridge::rt {

namespace {
// A C channel's elements (cbridge_chan, ops without functions) are bytes:
// memcpy moves them, and a receive that drops its value has a null dst.
inline void elemMove(const detail::ElemOps* ops, void* dst, void* src) {
  if (ops->moveConstruct != nullptr)
    ops->moveConstruct(dst, src);
  else if (dst != nullptr && ops->size > 0)
    std::memcpy(dst, src, ops->size);
}
inline void elemDestroy(const detail::ElemOps* ops, void* p) {
  if (ops->destroy != nullptr) ops->destroy(p);
}
}  // namespace

void WaitQ::enqueue(Sudog* sg) {
  sg->next = nullptr;
  sg->prev = last;
  if (last != nullptr)
    last->next = sg;
  else
    first = sg;
  last = sg;
}

void WaitQ::remove(Sudog* sg) {
  if (sg->prev != nullptr)
    sg->prev->next = sg->next;
  else if (first == sg)
    first = sg->next;
  else
    return;  // not on this queue (already dequeued)
  if (sg->next != nullptr)
    sg->next->prev = sg->prev;
  else
    last = sg->prev;
  sg->next = sg->prev = nullptr;
}

Sudog* WaitQ::dequeue() {
  for (;;) {
    Sudog* sg = first;
    if (sg == nullptr) return nullptr;
    first = sg->next;
    if (first == nullptr)
      last = nullptr;
    else
      first->prev = nullptr;
    sg->next = sg->prev = nullptr;
    // acq_rel: winning the select publishes our writes to its sudog to the
    // select's pass 3; a loser leaves the sudog for the select to remove.
    uint32_t expected = 0;
    if (sg->isSelect &&
        !sg->w->selectDone.compare_exchange_strong(expected, 1, std::memory_order_acq_rel))
      continue;
    return sg;
  }
}

Waiter* sendToWaiter(detail::ChanCore* c, Sudog* sg, void* src) {
  elemMove(c->ops, sg->elem, src);
  sg->success = true;
  sg->w->param = sg;
  return sg->w;
}

Waiter* recvFromWaiter(detail::ChanCore* c, Sudog* sg, void* dst) {
  if (c->cap == 0) {
    elemMove(c->ops, dst, sg->elem);
  } else {
    // The queue is full: take its head and put the sender's value at the
    // tail, which is the same slot.
    void* s = c->slot(c->recvx);
    elemMove(c->ops, dst, s);
    elemDestroy(c->ops, s);
    elemMove(c->ops, s, sg->elem);
    c->recvx = (c->recvx + 1) % c->cap;
    c->sendx = c->recvx;
  }
  sg->success = true;
  sg->w->param = sg;
  return sg->w;
}

void bufSend(detail::ChanCore* c, void* src) {
  elemMove(c->ops, c->slot(c->sendx), src);
  c->sendx = (c->sendx + 1) % c->cap;
  c->qcount++;
}

void bufRecv(detail::ChanCore* c, void* dst) {
  void* s = c->slot(c->recvx);
  elemMove(c->ops, dst, s);
  elemDestroy(c->ops, s);
  c->recvx = (c->recvx + 1) % c->cap;
  c->qcount--;
}

void throwClosed(const char* what) { throw ChannelClosed(what); }

}  // namespace cbridge::rt

namespace cbridge::detail {

using rt::Sudog;
using rt::Waiter;

ChanCore* chanMake(const ElemOps* ops, size_t capacity) {
  auto* c = new ChanCore;
  c->ops = ops;
  c->cap = capacity;
  if (capacity > 0)
    c->buf = static_cast<unsigned char*>(
        ::operator new(capacity * ops->size, std::align_val_t(ops->align)));
  return c;
}

void chanRetain(ChanCore* c) { c->refs.fetch_add(1, std::memory_order_relaxed); }

void chanRelease(ChanCore* c) {
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (c->onFree != nullptr) c->onFree(c);
  for (size_t i = 0; i < c->qcount; i++) rt::elemDestroy(c->ops, c->slot((c->recvx + i) % c->cap));
  if (c->buf != nullptr) ::operator delete(c->buf, std::align_val_t(c->ops->align));
  delete c;
}

bool chanSend(ChanCore* c, void* src, bool block) {
  rt::checkPreempt();
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    rt::throwClosed("send on closed channel");
  }
  if (Sudog* sg = c->recvq.dequeue()) {
    Waiter* w = rt::sendToWaiter(c, sg, src);
    c->lock.unlock();
    w->wake();
    return true;
  }
  if (c->qcount < c->cap) {
    rt::bufSend(c, src);
    c->lock.unlock();
    return true;
  }
  if (!block) {
    c->lock.unlock();
    return false;
  }
  Waiter w;
  Sudog sg;
  sg.w = &w;
  sg.elem = src;
  sg.c = c;
  c->sendq.enqueue(&sg);
  w.parkUnlock(c->lock, rt::WaitReason::ChanSend);
  if (!sg.success) rt::throwClosed("send on closed channel");
  return true;
}

RecvStatus chanRecv(ChanCore* c, void* dst, bool block) {
  rt::checkPreempt();
  c->lock.lock();
  if (c->closed && c->qcount == 0) {
    c->lock.unlock();
    return RecvStatus::Closed;
  }
  if (Sudog* sg = c->sendq.dequeue()) {
    Waiter* w = rt::recvFromWaiter(c, sg, dst);
    c->lock.unlock();
    w->wake();
    return RecvStatus::Received;
  }
  if (c->qcount > 0) {
    rt::bufRecv(c, dst);
    c->lock.unlock();
    return RecvStatus::Received;
  }
  if (!block) {
    c->lock.unlock();
    return RecvStatus::WouldBlock;
  }
  Waiter w;
  Sudog sg;
  sg.w = &w;
  sg.elem = dst;
  sg.c = c;
  c->recvq.enqueue(&sg);
  w.parkUnlock(c->lock, rt::WaitReason::ChanReceive);
  return sg.success ? RecvStatus::Received : RecvStatus::Closed;
}

void chanClose(ChanCore* c) {
  rt::checkPreempt();
  std::vector<Waiter*> wake;
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    rt::throwClosed("close of closed channel");
  }
  c->closed = true;
  // Release every waiter: receivers get "closed", senders will throw.
  for (rt::WaitQ* q : {&c->recvq, &c->sendq}) {
    while (Sudog* sg = q->dequeue()) {
      sg->success = false;
      sg->w->param = sg;
      wake.push_back(sg->w);
    }
  }
  c->lock.unlock();
  for (Waiter* w : wake) w->wake();
}

size_t chanLen(ChanCore* c) {
  rt::LockGuard g(c->lock);
  return c->qcount;
}

size_t chanCap(ChanCore* c) { return c->cap; }

}  // namespace cbridge::detail
