// SPDX-License-Identifier: MIT
// CFunction<F>: a C function pointer with its C++ type, called as foreign
// code through the typed path (cbridge::call: cgocall, no libffi). It is
// what Library::get<F>("name") returns; it holds no resources and is
// valid while the function's code is loaded.
#pragma once

#include <type_traits>
#include <utility>

#include "cbridge/call.hpp"

namespace cbridge {

namespace detail {
template <typename F>
inline constexpr bool kNotAFunction = false;
}

template <typename F>
class CFunction {
  static_assert(detail::kNotAFunction<F>,
                "CFunction<F>: F must be a function type R(A...), R(A..., ...) or a pointer to one");
};

// CFunction<R(A...)>: operator() converts the arguments to A... as a C
// call would and calls the function as foreign code (see cbridge::call):
// the task's P may go to another M while it lasts; errno is as the
// function left it.
template <typename R, typename... A>
class CFunction<R(A...)> {
 public:
  using pointer = R (*)(A...);  // the C function pointer type
  // CFunction wraps fn, which must not be null.
  explicit CFunction(pointer fn) noexcept : fn_(fn) {}
  // operator() calls the function with args, as foreign code.
  R operator()(A... args) const { return cbridge::call(fn_, args...); }
  // get is the C function pointer.
  pointer get() const noexcept { return fn_; }

 private:
  pointer fn_;
};

// CFunction<R(A...) noexcept> is CFunction<R(A...)> for a noexcept
// function type.
template <typename R, typename... A>
class CFunction<R(A...) noexcept> : public CFunction<R(A...)> {
 public:
  using pointer = R (*)(A...) noexcept;  // the C function pointer type
  // CFunction wraps fn, which must not be null.
  explicit CFunction(pointer fn) noexcept : CFunction<R(A...)>(fn) {}
};

// CFunction<R(A..., ...)>: a C variadic function (the printf family). The
// fixed arguments convert to A...; the variadic ones get C's default
// argument promotions, as in a C call.
template <typename R, typename... A>
class CFunction<R(A..., ...)> {
 public:
  using pointer = R (*)(A..., ...);  // the C function pointer type
  // CFunction wraps fn, which must not be null.
  explicit CFunction(pointer fn) noexcept : fn_(fn) {}
  // operator() calls the function with args and varargs, as foreign code.
  template <typename... V>
  R operator()(A... args, V&&... varargs) const {
    return cbridge::call(fn_, args..., std::forward<V>(varargs)...);
  }
  // get is the C function pointer.
  pointer get() const noexcept { return fn_; }

 private:
  pointer fn_;
};

// CFunction<R(A..., ...) noexcept> is CFunction<R(A..., ...)> for a
// noexcept function type.
template <typename R, typename... A>
class CFunction<R(A..., ...) noexcept> : public CFunction<R(A..., ...)> {
 public:
  using pointer = R (*)(A..., ...) noexcept;  // the C function pointer type
  // CFunction wraps fn, which must not be null.
  explicit CFunction(pointer fn) noexcept : CFunction<R(A..., ...)>(fn) {}
};

// A pointer type names the same function type: CFunction<R(*)(A...)>.
template <typename F>
  requires std::is_function_v<F>
class CFunction<F*> : public CFunction<F> {
 public:
  using typename CFunction<F>::pointer;
  using CFunction<F>::CFunction;
};

}  // namespace cbridge
