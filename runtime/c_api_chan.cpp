// SPDX-License-Identifier: MIT
// cbridge.h's channels: the runtime's channel (chan.cpp, Go's hchan) with
// elements of bytes (ElemOps without functions: memcpy), so a C channel
// and a C++ Chan<T> wait, wake and close by one implementation. Blocking
// operations park a task and block a plain thread (Waiter).
//
// Timeouts are Go's idiom, select { case <-c: case <-time.After(d): }: a
// timed operation is a select over the channel and an after() channel,
// whose timer is freed with it. timeout 0 is the channel's own non-blocking
// try, < 0 its blocking operation.
//
// Lifetime: the cbridge_chan owns the channel's one reference and its
// ElemOps (which the channel points to). A waiter touches neither once it
// is woken (chan.cpp, select.cpp return without reading the channel after
// their wake-up), so a free that finds no waiter on either queue, under the
// channel's lock, frees nothing anyone still reads — except an operation
// that has not yet queued, which cbridge.h makes the caller's to rule out
// (the free must be the last use).
#include <cerrno>
#include <chrono>
#include <new>
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "cbridge/errors.hpp"
#include "cbridge/timer.hpp"
#include "runtime/chan.hpp"
#include "runtime/proc.hpp"

struct cbridge_chan {
  cbridge::detail::ElemOps ops;  // immutable; the channel points to it
  cbridge::detail::ChanCore* core;
};

using cbridge::bridge::failWith;
using cbridge::bridge::misuse;

namespace {

std::atomic<bool> nullReported{false};
std::atomic<bool> sendClosedReported{false};
std::atomic<bool> closeClosedReported{false};
std::atomic<bool> freeBusyReported{false};

constexpr size_t kMaxElemSize = 65536;  // Go: "channel element type too large (>64kB)"

int nullChan(const char* api) {
  return misuse(&nullReported, CBRIDGE_ERR_ARGUMENT,
                std::string(api) + ": ch is NULL; check the result of cbridge_chan_new");
}

int sendClosed() {
  return misuse(&sendClosedReported, CBRIDGE_ERR_CLOSED,
                "cbridge_chan_send: send on a closed channel (Go panics); nothing was sent");
}

// A timed wait needs a timer, and none runs after shutdown: refuse it
// rather than wait forever.
bool timersGone() { return cbridge::rt::everStarted() && !cbridge::rt::started(); }

int shutdownTimeout(const char* api) {
  return failWith(CBRIDGE_ERR_SHUTDOWN, std::string(api) +
                                            ": a wait with a timeout after the runtime was shut "
                                            "down (no timer runs any more)");
}

// timedSelect waits on case 0 (the caller's) and an after(timeout) channel;
// true if case 0 ran, with *recvOK its receive's result. Case 0 is tried
// alone first, without waiting: ready at the call, it wins, as a wait with
// a timeout promises. In one select with the timer, a thread descheduled
// past the timeout between after() and the select found both ready and
// took the timer half the time (a closed channel's recv timed out:
// CApiChan.BufferedValuesOutliveTheClose, 2 in 150 runs on a loaded
// machine).
bool timedSelect(cbridge::detail::SelectCase c0, int64_t timeoutNs, bool* recvOK) {
  cbridge::detail::SelectResult now = cbridge::detail::selectGo(&c0, 1, false);
  if (now.index == 0) {
    *recvOK = now.recvOK;
    return true;
  }
  cbridge::Chan<cbridge::Instant> timer = cbridge::after(std::chrono::nanoseconds(timeoutNs));
  cbridge::detail::RawSlot<cbridge::Instant> fired;
  cbridge::detail::SelectCase cases[2] = {c0, {timer.core(), fired.ptr(), false}};
  cbridge::detail::SelectResult r = cbridge::detail::selectGo(cases, 2, true);
  *recvOK = r.recvOK;
  if (r.index == 1) fired.take();  // the Instant was constructed there
  return r.index == 0;
}

}  // namespace

namespace cbridge::detail {
ChanCore* capiChanCore(cbridge_chan* ch) { return ch->core; }
}  // namespace cbridge::detail

extern "C" cbridge_chan* cbridge_chan_new(size_t elem_size, size_t capacity) {
  if (elem_size > kMaxElemSize) {
    failWith(CBRIDGE_ERR_ARGUMENT, "cbridge_chan_new: elem_size=" + std::to_string(elem_size) +
                                       " is over 65536 bytes (Go's limit); send a pointer instead");
    return nullptr;
  }
  if (elem_size > 0 && capacity > (SIZE_MAX / 2) / elem_size) {
    failWith(-ENOMEM, "cbridge_chan_new: a buffer of " + std::to_string(capacity) +
                          " elements of " + std::to_string(elem_size) + " bytes does not fit");
    return nullptr;
  }
  try {
    auto* ch = new cbridge_chan;
    // Aligned as malloc aligns: a C element may be any struct.
    ch->ops = {elem_size, alignof(std::max_align_t), nullptr, nullptr};
    try {
      ch->core = cbridge::detail::chanMake(&ch->ops, capacity);
    } catch (...) {
      delete ch;
      throw;
    }
    return ch;
  } catch (const std::bad_alloc&) {
    failWith(-ENOMEM, "cbridge_chan_new: out of memory for " + std::to_string(capacity) +
                          " elements of " + std::to_string(elem_size) + " bytes");
    return nullptr;
  }
}

extern "C" int cbridge_chan_send(cbridge_chan* ch, const void* elem, int64_t timeout_ns) {
  if (ch == nullptr) return nullChan("cbridge_chan_send");
  if (elem == nullptr && ch->ops.size > 0)
    return misuse(&nullReported, CBRIDGE_ERR_ARGUMENT,
                  "cbridge_chan_send: elem is NULL but the channel's elements have " +
                      std::to_string(ch->ops.size) + " bytes");
  cbridge::detail::ChanCore* core = ch->core;
  // The channel only reads *src (memcpy): the const is kept.
  void* src = const_cast<void*>(elem);
  try {
    if (timeout_ns < 0) {
      cbridge::detail::chanSend(core, src, true);
      return CBRIDGE_OK;
    }
    if (timeout_ns == 0)
      return cbridge::detail::chanSend(core, src, false)
                 ? CBRIDGE_OK
                 : failWith(-EAGAIN, "cbridge_chan_send: the channel is not ready (timeout 0)");
    if (timersGone()) return shutdownTimeout("cbridge_chan_send");
    bool ok;
    if (timedSelect({core, src, true}, timeout_ns, &ok)) return CBRIDGE_OK;
    return failWith(-ETIMEDOUT, "cbridge_chan_send: timed out");
  } catch (const cbridge::ChannelClosed&) {
    return sendClosed();
  }
}

extern "C" int cbridge_chan_recv(cbridge_chan* ch, void* elem, int64_t timeout_ns) {
  if (ch == nullptr) return nullChan("cbridge_chan_recv");
  cbridge::detail::ChanCore* core = ch->core;
  cbridge::detail::RecvStatus st;
  if (timeout_ns < 0) {
    st = cbridge::detail::chanRecv(core, elem, true);
  } else if (timeout_ns == 0) {
    st = cbridge::detail::chanRecv(core, elem, false);
  } else {
    if (timersGone()) return shutdownTimeout("cbridge_chan_recv");
    bool ok;
    if (!timedSelect({core, elem, false}, timeout_ns, &ok))
      return failWith(-ETIMEDOUT, "cbridge_chan_recv: timed out");
    st = ok ? cbridge::detail::RecvStatus::Received : cbridge::detail::RecvStatus::Closed;
  }
  switch (st) {
    case cbridge::detail::RecvStatus::Received: return CBRIDGE_OK;
    case cbridge::detail::RecvStatus::Closed:
      return failWith(CBRIDGE_ERR_CLOSED, "cbridge_chan_recv: the channel is closed and drained");
    case cbridge::detail::RecvStatus::WouldBlock: break;
  }
  return failWith(-EAGAIN, "cbridge_chan_recv: nothing to receive (timeout 0)");
}

extern "C" int cbridge_chan_close(cbridge_chan* ch) {
  if (ch == nullptr) return nullChan("cbridge_chan_close");
  try {
    cbridge::detail::chanClose(ch->core);
    return CBRIDGE_OK;
  } catch (const cbridge::ChannelClosed&) {
    return misuse(&closeClosedReported, CBRIDGE_ERR_CLOSED,
                  "cbridge_chan_close: close of a closed channel (Go panics); nothing was done");
  }
}

extern "C" size_t cbridge_chan_len(const cbridge_chan* ch) {
  return ch != nullptr ? cbridge::detail::chanLen(ch->core) : 0;
}

extern "C" int cbridge_chan_free(cbridge_chan* ch) {
  if (ch == nullptr) return CBRIDGE_OK;
  {
    cbridge::rt::LockGuard g(ch->core->lock);
    if (ch->core->recvq.first != nullptr || ch->core->sendq.first != nullptr)
      return misuse(&freeBusyReported, CBRIDGE_ERR_BUSY,
                    "cbridge_chan_free: a task or thread still waits on the channel; nothing was "
                    "freed (close it, and free it once its waiters returned)");
  }
  cbridge::detail::chanRelease(ch->core);
  delete ch;
  return CBRIDGE_OK;
}
