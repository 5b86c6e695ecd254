// SPDX-License-Identifier: MIT
// Channels (Go's chan.go): hchan, sudogs and wait queues.
#pragma once

#include <atomic>
#include <cstddef>

#include "cbridge/detail/chan_core.hpp"
#include "runtime/lock.hpp"
#include "runtime/waiter.hpp"

namespace cbridge::detail {
struct ChanCore;
}

namespace cbridge::rt {

// A Sudog is a waiter on one channel's queue; it lives on the blocked
// waiter's stack, which stays put while it waits.
struct Sudog {
  Waiter* w = nullptr;
  void* elem = nullptr;  // the value to send, or the storage to receive into
  Sudog* next = nullptr;
  Sudog* prev = nullptr;
  detail::ChanCore* c = nullptr;
  bool isSelect = false;
  bool success = false;  // true: a value passed; false: woken by close
};

struct WaitQ {
  Sudog* first = nullptr;
  Sudog* last = nullptr;

  void enqueue(Sudog* sg);
  // dequeue returns the first sudog whose waiter is still waiting: a select
  // waiter already won by another channel is skipped.
  Sudog* dequeue();
  void remove(Sudog* sg);
};

}  // namespace cbridge::rt

namespace cbridge::detail {

// All fields are under lock, except refs (atomic; the last release frees)
// and ops/cap (immutable). Invariants: qcount <= cap; recvq is empty
// unless qcount == 0; sendq is empty unless qcount == cap; both are empty
// once closed.
struct ChanCore {
  rt::Lock lock{rt::LockRank::Hchan};
  const ElemOps* ops = nullptr;
  size_t cap = 0;
  size_t qcount = 0;
  size_t sendx = 0;
  size_t recvx = 0;
  unsigned char* buf = nullptr;
  bool closed = false;
  rt::WaitQ recvq;
  rt::WaitQ sendq;
  std::atomic<int64_t> refs{1};  // acq_rel on release so the freer sees all uses
  // What else the channel's state owns (after()'s timer): onFree(c) runs
  // when the last handle goes, before the channel is freed. Written once by
  // the maker before the channel is shared, immutable after.
  void (*onFree)(ChanCore*) = nullptr;
  void* owned = nullptr;

  void* slot(size_t i) { return buf + i * ops->size; }
};

}  // namespace cbridge::detail

struct cbridge_chan;
namespace cbridge::detail {
// capiChanCore is the channel under a cbridge.h channel (for tests).
ChanCore* capiChanCore(cbridge_chan* ch);
}  // namespace cbridge::detail

namespace cbridge::rt {

// The halves of a send or receive that happen under the channel lock(s);
// each returns the waiter to wake once every lock is released.
Waiter* sendToWaiter(detail::ChanCore* c, Sudog* sg, void* src);
Waiter* recvFromWaiter(detail::ChanCore* c, Sudog* sg, void* dst);
void bufSend(detail::ChanCore* c, void* src);
void bufRecv(detail::ChanCore* c, void* dst);

[[noreturn]] void throwClosed(const char* what);

}  // namespace cbridge::rt
