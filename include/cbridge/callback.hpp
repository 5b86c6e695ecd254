// SPDX-License-Identifier: MIT
// Callbacks: C function pointers that call managed code, from any thread.
// Callback<F> is typed (the signature comes from F, ctype.hpp);
// DynamicCallback takes a signature string.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "cbridge/ctype.hpp"
#include "cbridge/export.h"

namespace cbridge {

// What happens when a handler throws: the exception never unwinds into
// the C caller's frames. glibc's forced unwind (pthread_exit, or
// pthread_cancel acted on in the handler) is not the handler's exception:
// it always passes, and ends the thread (see README, "Callbacks from C").
enum class OnException {
  Fatal,       // "fatal error: callback handler threw: <what()>", exit 2 (the default)
  ReturnZero,  // the C caller gets a zero result; last_error() says what was thrown
};

// CallbackOptions configures a Callback or DynamicCallback.
struct CallbackOptions {
  OnException on_exception = OnException::Fatal;  // what a handler's exception does
};

namespace detail {

class CallbackCore;
// handler(ret, args, self): args[i] points to the i-th argument; the
// result goes to *ret, a buffer of the C return type.
using RawHandler = void (*)(void* ret, void** args, void* self);

// callbackNew makes a closure for signature (the bridge's C prototype
// syntax, not variadic) that runs handler as managed code. It owns self
// and destroys it with destroySelf. Throws SignatureError.
CBRIDGE_EXPORT CallbackCore* callbackNew(const std::string& signature, RawHandler handler,
                                         void* self, void (*destroySelf)(void*), OnException policy);
CBRIDGE_EXPORT void* callbackFn(const CallbackCore* c);
// callbackFree frees c, or, while calls are in flight, says so on stderr
// and leaves the last of them to free it.
CBRIDGE_EXPORT void callbackFree(CallbackCore* c);
CBRIDGE_EXPORT std::string callbackLastError(const CallbackCore* c);

template <typename F, typename R, typename... A, size_t... I>
void invokeTyped(void* ret, void** args, void* self, std::index_sequence<I...>);

// CFunctionTraits<F> takes F apart: a function type R(A...) or a pointer
// to one, noexcept or not. pointer is what Callback<F>::fn() returns.
template <typename F>
struct CFunctionTraits {
  static_assert(kAlwaysFalse<F>,
                "Callback<F>: F must be a C function type R(A...) or a function pointer type "
                "R(*)(A...) such as a C header's callback typedef");
  static constexpr bool kOk = false;
  using pointer = void*;
};

template <typename P, typename R, typename... A>
struct CFunctionParts {
  static constexpr bool kOk = true;
  using pointer = P;
  using result = R;
  // invocable: a handler H can be called as invokeTyped calls it (each
  // argument an lvalue of the parameter's type) and its result converts
  // to R (anything, for void).
  template <typename H>
  static constexpr bool invocable = std::is_invocable_r_v<R, H&, std::remove_cv_t<A>&...>;
  static std::string signature() { return c_signature<R, A...>(); }
  template <typename H>
  static void invoke(void* ret, void** args, void* self) {
    invokeTyped<H, R, A...>(ret, args, self, std::index_sequence_for<A...>{});
  }
};

// A variadic F has no typed callback: the closure cannot know how many
// arguments a call passed or their types.
template <typename F>
struct CVariadic {
  static_assert(kAlwaysFalse<F>,
                "Callback<F>: F is variadic (\"...\"); a callback cannot read variadic "
                "arguments. Declare the arguments the C caller passes as fixed parameters, or "
                "take a va_list");
  static constexpr bool kOk = false;
  using pointer = F*;
};

template <typename R, typename... A>
struct CFunctionTraits<R(A...)> : CFunctionParts<R (*)(A...), R, A...> {};
template <typename R, typename... A>
struct CFunctionTraits<R(A...) noexcept> : CFunctionParts<R (*)(A...) noexcept, R, A...> {};
template <typename R, typename... A>
struct CFunctionTraits<R (*)(A...)> : CFunctionParts<R (*)(A...), R, A...> {};
template <typename R, typename... A>
struct CFunctionTraits<R (*)(A...) noexcept> : CFunctionParts<R (*)(A...) noexcept, R, A...> {};
template <typename R, typename... A>
struct CFunctionTraits<R(A..., ...)> : CVariadic<R(A..., ...)> {};
template <typename R, typename... A>
struct CFunctionTraits<R(A..., ...) noexcept> : CVariadic<R(A..., ...) noexcept> {};
template <typename R, typename... A>
struct CFunctionTraits<R (*)(A..., ...)> : CVariadic<R(A..., ...)> {};
template <typename R, typename... A>
struct CFunctionTraits<R (*)(A..., ...) noexcept> : CVariadic<R(A..., ...) noexcept> {};

// CheckHandler<Handler, F> refuses a handler that does not fit F; the
// compiler prints both types as its template arguments.
template <typename Handler, typename F>
struct CheckHandler {
  static constexpr bool kOk = [] {
    if constexpr (CFunctionTraits<F>::kOk)
      return CFunctionTraits<F>::template invocable<Handler>;
    else
      return true;  // F itself was refused
  }();
  static_assert(kOk,
                "Callback<F>: the handler is not callable with the parameters of F, or its "
                "result does not convert to F's result; the handler's type and F are the "
                "template arguments of cbridge::detail::CheckHandler<Handler, F> above");
};

template <typename F, typename R, typename... A, size_t... I>
void invokeTyped(void* ret, void** args, void* self, std::index_sequence<I...>) {
  F& f = *static_cast<F*>(self);
  if constexpr (std::is_void_v<R>)
    f(*static_cast<std::remove_cv_t<A>*>(args[I])...);
  else
    *static_cast<R*>(ret) = f(*static_cast<std::remove_cv_t<A>*>(args[I])...);
}

// CallbackHandle owns a CallbackCore: the part Callback and
// DynamicCallback share.
class CallbackHandle {
 public:
  CallbackHandle(const CallbackHandle&) = delete;
  CallbackHandle& operator=(const CallbackHandle&) = delete;
  // The text of the last exception a handler threw under
  // OnException::ReturnZero; "" if none.
  std::string last_error() const { return callbackLastError(core_); }

 protected:
  explicit CallbackHandle(CallbackCore* core) : core_(core) {}
  ~CallbackHandle() {
    if (core_ != nullptr) callbackFree(core_);
  }
  CallbackHandle(CallbackHandle&& o) noexcept : core_(std::exchange(o.core_, nullptr)) {}
  CallbackHandle& operator=(CallbackHandle&& o) noexcept {
    std::swap(core_, o.core_);
    return *this;
  }
  void* code() const { return callbackFn(core_); }

 private:
  CallbackCore* core_;
};

// newCore makes the core of a callable F with the given raw handler.
template <typename Fn, typename F>
CallbackCore* newCore(const std::string& signature, RawHandler h, F&& f, OnException policy) {
  return callbackNew(signature, h, new Fn(std::forward<F>(f)),
                     [](void* self) { delete static_cast<Fn*>(self); }, policy);
}

}  // namespace detail

// Callback<F> makes a real C function pointer, fn(), from any C++
// callable (stateful lambdas too). The pointer stays valid until the
// Callback is destroyed and may be called from any thread: threads the
// runtime never created (the first call binds them an M, kept until the
// thread exits), or a runtime M inside a foreign call (a nested callback,
// run on the calling task). The callable runs as managed code: on a task,
// with a P, free to block on channels and timers and to call C again,
// while the C caller waits.
//
// F is a function type R(A...) or a C header's callback typedef, a
// function pointer type R(*)(A...) (Callback<uv_work_cb>), noexcept or
// not. R and A are the types a C header uses: scalars, enums, any
// pointer (const, to functions), and structs by value when they are C-like
// aggregates of at most 16 fields (see ctype.hpp). A variadic F, a type
// with no C equivalent (union, bit-fields, references) and a handler not
// callable with A... (or whose result does not convert to R) are compile
// errors that say so. The constructor throws what DynamicCallback's does
// (std::bad_alloc when no closure can be made).
template <typename F>
class Callback : public detail::CallbackHandle {
  using Traits = detail::CFunctionTraits<F>;

 public:
  using pointer = typename Traits::pointer;  // the C function pointer type F names

  // Callback wraps h, callable with F's parameters; throws SignatureError
  // if libffi refuses the signature.
  template <typename H>
  explicit Callback(H h, CallbackOptions opts = {}) : CallbackHandle(make(std::move(h), opts)) {}

  // fn is the C function pointer; valid while this Callback lives.
  pointer fn() const { return reinterpret_cast<pointer>(code()); }

 private:
  template <typename H>
  static detail::CallbackCore* make(H h, CallbackOptions opts) {
    using Fn = std::decay_t<H>;
    if constexpr (Traits::kOk && detail::CheckHandler<Fn, F>::kOk) {
      return detail::newCore<Fn>(Traits::signature(), &Traits::template invoke<Fn>, std::move(h),
                                 opts.on_exception);
    } else {
      return nullptr;  // not compiled: a static_assert above has failed
    }
  }
};

// DynamicCallback is a Callback whose signature is a string, for plugin
// systems: "int(double, struct {int; char*})". The handler gets
// (void* ret, void** args) as a libffi closure does.
class DynamicCallback : public detail::CallbackHandle {
 public:
  // DynamicCallback wraps handler, callable as handler(void* ret, void**
  // args); throws SignatureError for a bad or variadic signature.
  template <typename F>
  DynamicCallback(const std::string& signature, F handler, CallbackOptions opts = {})
      : CallbackHandle(detail::newCore<std::decay_t<F>>(
            signature,
            [](void* ret, void** args, void* self) { (*static_cast<std::decay_t<F>*>(self))(ret, args); },
            std::move(handler), opts.on_exception)) {}

  // fn is the C function pointer, valid while the DynamicCallback lives.
  void* fn() const { return code(); }
};

// m_id is the id of the M the calling thread has (a runtime M, or the
// extra M a foreign thread was given by its first callback), -1 if none.
CBRIDGE_EXPORT int64_t m_id();

}  // namespace cbridge
