// SPDX-License-Identifier: MIT
// select over several channels, with an optional default (Go's select).
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>

#include "cbridge/chan.hpp"

namespace cbridge {

namespace detail {

template <typename T, typename F>
struct RecvCase {
  Chan<T>* ch;
  F f;
  RawSlot<T> slot;
  void fill(SelectCase& c) { c = {ch->core(), slot.ptr(), false}; }
  void fire(bool ok) { f(ok ? slot.take() : std::optional<T>()); }
};

template <typename T, typename F>
struct SendCase {
  Chan<T>* ch;
  T v;
  F f;
  void fill(SelectCase& c) { c = {ch->core(), &v, true}; }
  void fire(bool) { f(); }
};

template <typename F>
struct DefaultCase {
  F f;
};

template <typename C>
struct IsDefault : std::false_type {};
template <typename F>
struct IsDefault<DefaultCase<F>> : std::true_type {};

}  // namespace detail

// on_recv(ch, f): f(std::optional<T>) runs if this case is chosen;
// std::nullopt means the channel is closed.
template <typename T, typename F>
detail::RecvCase<T, F> on_recv(Chan<T>& ch, F f) {
  return {&ch, std::move(f), {}};
}

// on_send(ch, v, f): f() runs after v was sent. A closed channel throws
// ChannelClosed when this case is chosen.
template <typename T, typename F>
detail::SendCase<T, F> on_send(Chan<T>& ch, T v, F f) {
  return {&ch, std::move(v), std::move(f)};
}

// on_default(f): makes select non-blocking; f() runs if no case is ready.
template <typename F>
detail::DefaultCase<F> on_default(F f) {
  return {std::move(f)};
}

// select waits until one case can proceed, runs it and its function, and
// returns its position among the arguments. Among ready cases it picks at
// random. With on_default it never blocks.
template <typename... Cases>
int select(Cases&&... cases) {
  constexpr size_t nDefault = (size_t(detail::IsDefault<std::decay_t<Cases>>::value) + ... + 0);
  static_assert(nDefault <= 1, "select: at most one on_default");
  constexpr size_t n = sizeof...(Cases) - nDefault;
  static_assert(nDefault == 0 || detail::IsDefault<std::decay_t<
                                     std::tuple_element_t<sizeof...(Cases) - 1, std::tuple<Cases...>>>>::value,
                "select: on_default must be the last case");
  detail::SelectCase sc[n > 0 ? n : 1];
  size_t k = 0;
  auto fill = [&](auto& c) {
    if constexpr (!detail::IsDefault<std::decay_t<decltype(c)>>::value) c.fill(sc[k++]);
  };
  (fill(cases), ...);
  detail::SelectResult r = detail::selectGo(sc, int(n), nDefault == 0);
  int chosen = r.index < 0 ? int(n) : r.index;
  k = 0;
  auto fire = [&](auto& c) {
    if constexpr (detail::IsDefault<std::decay_t<decltype(c)>>::value) {
      if (r.index < 0) c.f();
    } else if (int(k++) == r.index) {
      c.fire(r.recvOK);
    }
  };
  (fire(cases), ...);
  return chosen;
}

}  // namespace cbridge
