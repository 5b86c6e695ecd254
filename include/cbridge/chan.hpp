// SPDX-License-Identifier: MIT
// Chan<T>: Go's channel, buffered or unbuffered, usable from tasks and
// from plain OS threads.
#pragma once

#include <cstddef>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "cbridge/detail/chan_core.hpp"
#include "cbridge/errors.hpp"

namespace cbridge {

namespace detail {
template <typename T>
inline const ElemOps elemOpsOf{
    sizeof(T),
    alignof(T),
    [](void* dst, void* src) { ::new (dst) T(std::move(*static_cast<T*>(src))); },
    [](void* p) { static_cast<T*>(p)->~T(); },
};

// RawSlot is storage for a T that a receive may or may not construct.
template <typename T>
struct RawSlot {
  alignas(T) unsigned char bytes[sizeof(T)];
  void* ptr() { return bytes; }
  std::optional<T> take() {
    T* p = std::launder(reinterpret_cast<T*>(bytes));
    std::optional<T> r(std::move(*p));
    p->~T();
    return r;
  }
};
}  // namespace detail

// A Chan is a handle: copies share one channel, which lives while any
// handle does. A blocking operation parks the calling task (or blocks the
// calling thread outside tasks).
template <typename T>
class Chan {
  static_assert(std::is_move_constructible_v<T>, "Chan<T> needs a move-constructible T");

 public:
  // capacity 0 makes an unbuffered channel: a send waits for a receiver.
  explicit Chan(size_t capacity = 0) : c_(detail::chanMake(&detail::elemOpsOf<T>, capacity)) {}
  Chan(const Chan& o) : c_(o.c_) { detail::chanRetain(c_); }
  Chan(Chan&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  Chan& operator=(Chan o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~Chan() {
    if (c_ != nullptr) detail::chanRelease(c_);
  }

  // send blocks until the value is received or buffered. Throws
  // ChannelClosed if the channel is or becomes closed.
  void send(T v) { detail::chanSend(c_, &v, true); }
  // try_send sends only if that needs no waiting; false: nothing was sent.
  bool try_send(T v) { return detail::chanSend(c_, &v, false); }

  // recv blocks for a value; std::nullopt means closed and drained (Go's
  // "v, ok := <-c" with ok == false).
  std::optional<T> recv() {
    detail::RawSlot<T> s;
    if (detail::chanRecv(c_, s.ptr(), true) != detail::RecvStatus::Received) return std::nullopt;
    return s.take();
  }
  // try_recv receives only if that needs no waiting; std::nullopt: nothing
  // was ready (or the channel is closed and drained).
  std::optional<T> try_recv() {
    detail::RawSlot<T> s;
    if (detail::chanRecv(c_, s.ptr(), false) != detail::RecvStatus::Received) return std::nullopt;
    return s.take();
  }

  // close wakes every waiting receiver (with nullopt) and sender (which
  // throws). Closing twice throws ChannelClosed.
  void close() { detail::chanClose(c_); }

  size_t size() const { return detail::chanLen(c_); }      // values buffered now
  size_t capacity() const { return detail::chanCap(c_); }  // the buffer's size; 0: unbuffered

  // core is the type-erased channel, for select (internal).
  detail::ChanCore* core() const { return c_; }

 private:
  detail::ChanCore* c_;
};

}  // namespace cbridge
