// SPDX-License-Identifier: MIT
// Typed calls of C functions from managed code (Go's cgo call).
#pragma once

#include <type_traits>
#include <utility>

#include "cbridge/export.h"

namespace cbridge {

namespace detail {
// cgocall runs fn(arg) as foreign code: the task enters syscall state (its
// P may be handed to another M while the call lasts), the call runs on the
// M's system stack with runtime preemption held off, and errno as the call
// left it is what the caller sees afterwards. From a plain OS thread it is
// a plain call.
CBRIDGE_EXPORT void cgocall(void (*fn)(void*), void* arg);

template <typename F>
void cgocallLambda(F& f) {
  cgocall([](void* p) { (*static_cast<F*>(p))(); }, &f);
}

template <typename R, typename Fn, typename... Args>
R callImpl(Fn fn, Args&&... args) {
  if constexpr (std::is_void_v<R>) {
    auto f = [&] { fn(std::forward<Args>(args)...); };
    cgocallLambda(f);
  } else {
    static_assert(std::is_trivially_default_constructible_v<R> || std::is_default_constructible_v<R>,
                  "cbridge::call: the C function's result type must be default-constructible");
    R r{};
    auto f = [&] { r = fn(std::forward<Args>(args)...); };
    cgocallLambda(f);
    return r;
  }
}
}  // namespace detail

// call calls the C function fn with args and returns its result, without
// stalling the scheduler (see detail::cgocall). fn must not throw: foreign
// frames are never unwound, and a C++ exception leaving fn ends the
// process with "fatal error: C++ exception thrown out of a foreign call"
// (exit status 2), the same for every way of calling foreign code. No
// libffi on this path.
template <typename R, typename... A, typename... Args>
R call(R (*fn)(A...), Args&&... args) {
  return detail::callImpl<R>(fn, std::forward<Args>(args)...);
}
template <typename R, typename... A, typename... Args>
R call(R (*fn)(A...) noexcept, Args&&... args) {
  return detail::callImpl<R>(fn, std::forward<Args>(args)...);
}
// C variadic functions (printf family): the compiler applies the default
// argument promotions, as in a C call.
template <typename R, typename... A, typename... Args>
R call(R (*fn)(A..., ...), Args&&... args) {
  return detail::callImpl<R>(fn, std::forward<Args>(args)...);
}
template <typename R, typename... A, typename... Args>
R call(R (*fn)(A..., ...) noexcept, Args&&... args) {
  return detail::callImpl<R>(fn, std::forward<Args>(args)...);
}

}  // namespace cbridge
