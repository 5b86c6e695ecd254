// Callbacks: C function pointers that call managed code, from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

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

struct CallbackOptions {
  OnException on_exception = OnException::Fatal;
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

template <typename T>
inline constexpr bool kAlwaysFalse = false;

// cname is the C spelling of a C++ parameter or result type, for the
// signature of a typed Callback.
template <typename T>
constexpr const char* cname() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_pointer_v<U>) return "void*";
  else if constexpr (std::is_same_v<U, void>) return "void";
  else if constexpr (std::is_same_v<U, bool>) return "bool";
  else if constexpr (std::is_same_v<U, char>) return "char";
  else if constexpr (std::is_same_v<U, signed char>) return "signed char";
  else if constexpr (std::is_same_v<U, unsigned char>) return "unsigned char";
  else if constexpr (std::is_same_v<U, short>) return "short";
  else if constexpr (std::is_same_v<U, unsigned short>) return "unsigned short";
  else if constexpr (std::is_same_v<U, int>) return "int";
  else if constexpr (std::is_same_v<U, unsigned>) return "unsigned";
  else if constexpr (std::is_same_v<U, long>) return "long";
  else if constexpr (std::is_same_v<U, unsigned long>) return "unsigned long";
  else if constexpr (std::is_same_v<U, long long>) return "long long";
  else if constexpr (std::is_same_v<U, unsigned long long>) return "unsigned long long";
  else if constexpr (std::is_same_v<U, float>) return "float";
  else if constexpr (std::is_same_v<U, double>) return "double";
  else if constexpr (std::is_same_v<U, long double>) return "long double";
  else static_assert(kAlwaysFalse<T>, "Callback<R(A...)>: R and A must be C scalar or pointer types; use DynamicCallback for structs");
}

template <typename R, typename... A>
std::string signatureOf() {
  std::string s = std::string(cname<R>()) + "(";
  const char* names[] = {cname<A>()..., nullptr};
  for (size_t i = 0; i < sizeof...(A); i++) s += (i ? ", " : "") + std::string(names[i]);
  return s + (sizeof...(A) == 0 ? "void)" : ")");
}

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

template <typename Sig>
class Callback;

// Callback<R(A...)> makes a real C function pointer, fn(), from any C++
// callable (stateful lambdas too). The pointer stays valid until the
// Callback is destroyed and may be called from any thread: threads the
// runtime never created (the first call binds them an M, kept until the
// thread exits), or a runtime M inside a foreign call (a nested callback,
// run on the calling task). The callable runs as managed code: on a task,
// with a P, free to block on channels and timers and to call C again,
// while the C caller waits. R and A are C scalar or pointer types; use
// DynamicCallback for structs by value.
template <typename R, typename... A>
class Callback<R(A...)> : public detail::CallbackHandle {
 public:
  using pointer = R (*)(A...);

  template <typename F>
  explicit Callback(F f, CallbackOptions opts = {})
      : CallbackHandle(detail::newCore<std::decay_t<F>>(
            detail::signatureOf<R, A...>(),
            [](void* ret, void** args, void* self) {
              detail::invokeTyped<std::decay_t<F>, R, A...>(ret, args, self,
                                                            std::index_sequence_for<A...>{});
            },
            std::move(f), opts.on_exception)) {}

  pointer fn() const { return reinterpret_cast<pointer>(code()); }
};

// DynamicCallback is a Callback whose signature is a string, for plugin
// systems: "int(double, struct {int; char*})". The handler gets
// (void* ret, void** args) as a libffi closure does.
class DynamicCallback : public detail::CallbackHandle {
 public:
  template <typename F>
  DynamicCallback(const std::string& signature, F handler, CallbackOptions opts = {})
      : CallbackHandle(detail::newCore<std::decay_t<F>>(
            signature,
            [](void* ret, void** args, void* self) { (*static_cast<std::decay_t<F>*>(self))(ret, args); },
            std::move(handler), opts.on_exception)) {}

  void* fn() const { return code(); }
};

// m_id is the id of the M the calling thread has (a runtime M, or the
// extra M a foreign thread was given by its first callback), -1 if none.
CBRIDGE_EXPORT int64_t m_id();

}  // namespace cbridge
