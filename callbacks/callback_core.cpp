// SPDX-License-Identifier: MIT
// The closure behind every Callback: a libffi closure whose entry runs the
// handler through cgocallback.
#include <ffi.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "bridge/prepared_call.hpp"
#include "bridge/signature_quote.hpp"
#include "bridge/stack_switch.hpp"
#include "callbacks/cbcheck.hpp"
#include "callbacks/cgocallback.hpp"
#include "callbacks/closure_quarantine.hpp"
#include "callbacks/forced_unwind.hpp"
#include "cbridge/callback.hpp"
#include "cbridge/errors.hpp"
#include "runtime/attributes.hpp"
#include "runtime/context.hpp"
#include "runtime/debugvars.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::detail {

namespace {
void reportFreedInFlight(const void* fn, int64_t calls);
}  // namespace

// A closure's lifetime is a reference count. The owner (a Callback, or the
// C API's handle) holds one until callbackFree; each call holds one from
// its entry until its handler has returned. The reference belongs to the
// call, not to the thread or M it started on: a handler that parks may
// resume on another M (a task that called the pointer directly), and its
// reference goes with it. Whoever drops the last reference deletes the
// core, which hands the closure to the quarantine. Frees need no barrier
// and wait for nothing. A call that starts after the owner's free is the
// caller's bug (undefined; the quarantine catches most). lastError is
// under errLock (calls on many threads may fail at once).
class CallbackCore {
 public:
  CallbackCore(const std::string& signature, RawHandler h, void* self, void (*destroy)(void*),
               OnException policy)
      : prepared_(signature), h_(h), self_(self), destroy_(destroy), policy_(policy) {
    if (prepared_.variadic())
      throw SignatureError(bridge::signatureQuote(signature) +
                           ": a callback cannot be variadic (libffi closures take fixed arguments)");
    closure_ = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code_));
    if (closure_ == nullptr) throw std::bad_alloc();
    if (ffi_prep_closure_loc(closure_, const_cast<ffi_cif*>(prepared_.cif()), entry, this, code_) !=
        FFI_OK) {
      ffi_closure_free(closure_);
      throw SignatureError(bridge::signatureQuote(signature) + ": libffi could not make a closure");
    }
  }
  ~CallbackCore() {
    cb::quarantineClosure(closure_, code_);
    destroy_(self_);
  }

  void* code() const { return code_; }

  // free is the owner's release.
  void free() {
    const void* fn = code_;
    int64_t calls = release();
    if (calls > 0) reportFreedInFlight(fn, calls);  // this may be gone already
  }

  std::string lastError() const {
    rt::LockGuard g(errLock_);
    return lastError_;
  }

 private:
  struct Call {
    CallbackCore* core;
    void* ret;  // libffi's: a whole ffi_arg for narrow integers
    void** args;
  };

  // entry is the closure's C entry, on the calling thread. It realigns
  // the stack to 16 bytes (force_align_arg_pointer): a caller in hand-
  // written assembly or a careless JIT may call with the stack 8 bytes off
  // the ABI's alignment, and libffi passes that on; the runtime code below
  // (glibc's included) uses aligned SSE stores to the stack and would
  // fault. One AND on the way in.
  CBRIDGE_FORCE_ALIGN_STACK static void entry(ffi_cif*, void* ret, void** args,
                                                             void* user) {
    auto* c = static_cast<CallbackCore*>(user);
    // Relaxed: the owner's reference keeps c alive until this one is
    // taken (a call after the free is undefined), so it orders nothing.
    c->refs_.fetch_add(1, std::memory_order_relaxed);
    Call call{c, ret, args};
    if (!cb::cgocallback(runHandler, &call)) {
      c->zeroResult(ret);
      c->release();
    }
    // Else runHandler dropped the call's reference: c may be gone.
  }

  // release drops one reference, deleting the core if it was the last,
  // and returns how many are left. acq_rel: every use of the core by a
  // call or the owner happens before the delete of whoever drops the last.
  int64_t release() {
    int64_t left = refs_.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (left == 0) delete this;
    return left;
  }

  // CallRef drops a call's reference however its handler ends, on the
  // task that ran it (wherever it was when the handler returned).
  struct CallRef {
    CallbackCore* c;
    ~CallRef() { c->release(); }
  };

  // runHandler runs on the callback's task.
  static void runHandler(void* p) {
    auto* call = static_cast<Call*>(p);
    CallbackCore* c = call->core;
    CallRef ref{c};
    // Narrow integers: the handler writes its natural size, we widen.
    alignas(16) unsigned char narrow[16] = {};
    bool widen = c->narrowResult();
    void* ret = widen ? narrow : call->ret;
    if (c->invoke(ret, call) && widen) c->widenInto(narrow, call->ret);
  }

  // invoke runs the handler, and reports whether it returned; if it threw,
  // the policy applies. glibc's forced unwind (the thread ends: pthread_exit,
  // cancellation) is not the handler's exception: it goes on unwinding,
  // whatever the policy (swallowed, glibc aborts); CallRef drops the call's
  // reference on the way.
  CBRIDGE_CATCHES_FORCED_UNWIND bool invoke(void* ret, Call* call) {
    try {
      h_(ret, call->args, self_);
      return true;
    } catch (abi::__forced_unwind&) {
      forgetDeadFrames();
      throw;
    } catch (const std::exception& e) {
      failed(e.what(), call->ret);
    } catch (...) {
      failed("an exception not derived from std::exception", call->ret);
    }
    return false;
  }

  // forgetDeadFrames, under ASan, unpoisons the task's stack below us:
  // glibc's unwinding from a cancellation point skipped the epilogues of
  // the handler's frames, whose redzones, left poisoned, would trip ASan's
  // own no-return hook in the rethrow (a false report).
  static void forgetDeadFrames() {
    rt::G* gp = rt::getm()->curg;
    uintptr_t sp = bridge::currentSP();
    rt::asanFreshStack(reinterpret_cast<void*>(gp->stack->lo), sp - gp->stack->lo);
  }

  void failed(const char* what, void* ret) {
    if (policy_ == OnException::Fatal) rt::fatal("callback handler threw: %s", what);
    {
      rt::LockGuard g(errLock_);
      lastError_ = what;
    }
    zeroResult(ret);
  }

  bool narrowResult() const {
    return prepared_.retSize() < sizeof(ffi_arg) && prepared_.retKind() != bridge::Kind::Float &&
           prepared_.retKind() != bridge::Kind::Void && prepared_.retKind() != bridge::Kind::Struct;
  }

  void zeroResult(void* ret) const {
    if (prepared_.retKind() == bridge::Kind::Void) return;
    std::memset(ret, 0, narrowResult() ? sizeof(ffi_arg) : prepared_.retSize());
  }

  void widenInto(const unsigned char* narrow, void* ret) const {
    using bridge::Kind;
    ffi_sarg v = 0;
    switch (prepared_.retKind()) {
      case Kind::SChar: v = *reinterpret_cast<const signed char*>(narrow); break;
      case Kind::UChar: case Kind::Bool: v = *narrow; break;
      case Kind::SShort: { short x; std::memcpy(&x, narrow, sizeof x); v = x; break; }
      case Kind::UShort: { unsigned short x; std::memcpy(&x, narrow, sizeof x); v = x; break; }
      case Kind::SInt: { int x; std::memcpy(&x, narrow, sizeof x); v = x; break; }
      case Kind::UInt: { unsigned x; std::memcpy(&x, narrow, sizeof x); v = ffi_sarg(x); break; }
      // Narrow where long is 32 bits (64-bit Windows); a full word on Linux.
      case Kind::SLong: { long x; std::memcpy(&x, narrow, sizeof x); v = x; break; }
      case Kind::ULong: { unsigned long x; std::memcpy(&x, narrow, sizeof x); v = ffi_sarg(x); break; }
      default: break;
    }
    std::memcpy(ret, &v, sizeof v);
  }

  bridge::PreparedCall prepared_;
  RawHandler h_;
  void* self_;
  void (*destroy_)(void*);
  OnException policy_;
  ffi_closure* closure_ = nullptr;
  void* code_ = nullptr;
  std::atomic<int64_t> refs_{1};  // the owner's, and one per call in flight
  mutable rt::Lock errLock_{rt::LockRank::CallbackError};
  std::string lastError_ GUARDED_BY(errLock_);
};

namespace {

std::atomic<bool> freedInFlightReported{false};

// A callback freed by its own handler is a common C idiom for one-shot
// callbacks, and works: say so once, each one under CBRIDGE_DEBUG
// (fatal under cbcheck: see cbcheck.cpp).
void reportFreedInFlight(const void* fn, int64_t calls) {
  if (rt::debug.cbcheck != 0) cb::cbcheckFreedInFlight(fn, calls);
  if (rt::debugEnabled("callbacks")) {
    rt::usererror("callbacks: the callback at %p was freed with %lld call(s) in flight",
                  fn, static_cast<long long>(calls));
    return;
  }
  rt::usererrorOnce(&freedInFlightReported,
                    "a callback was freed while a call of it was in flight (its own handler?): "
                    "its closure is freed when its calls return, and calling its pointer after "
                    "the free is undefined (said once; CBRIDGE_DEBUG=callbacks reports each)");
}

}  // namespace

namespace {
// Callbacks made and not freed (cb::callbacksAlive). seq_cst: checkdead
// reads it once every task is asleep, and must see a callback made by a
// task before it parked.
std::atomic<int64_t> alive{0};
}  // namespace

CallbackCore* callbackNew(const std::string& signature, RawHandler handler, void* self,
                          void (*destroySelf)(void*), OnException policy) {
  try {
    CallbackCore* c = new CallbackCore(signature, handler, self, destroySelf, policy);
    alive.fetch_add(1, std::memory_order_seq_cst);
    return c;
  } catch (...) {
    destroySelf(self);
    throw;
  }
}

void* callbackFn(const CallbackCore* c) { return c->code(); }

void callbackFree(CallbackCore* c) {
  alive.fetch_sub(1, std::memory_order_seq_cst);
  c->free();
}

std::string callbackLastError(const CallbackCore* c) { return c->lastError(); }

}  // namespace cbridge::detail

namespace cbridge::cb {

int64_t callbacksAlive() { return detail::alive.load(std::memory_order_seq_cst); }

}  // namespace cbridge::cb

namespace cbridge {

int64_t m_id() {
  rt::M* m = rt::getm();
  return m != nullptr ? m->id : -1;
}

}  // namespace cbridge
