// The closure behind every Callback: a libffi closure whose entry runs the
// handler through cgocallback.
#include <ffi.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "bridge/prepared_call.hpp"
#include "bridge/signature_quote.hpp"
#include "callbacks/cgocallback.hpp"
#include "cbridge/callback.hpp"
#include "cbridge/errors.hpp"
#include "runtime/fatal.hpp"
#include "runtime/lock.hpp"
#include "runtime/os_linux.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/sysmon.hpp"

namespace cbridge::detail {

// reapPending deletes the freed closures whose calls have all returned
// (sysmon's hook, and the last slow-path call of a freed closure).
void reapPending();

// A closure's lifetime. A handler that runs on an M is recorded in that
// M's callbackInUse slots (hazard pointers; plain stores on the hot path).
// Calls the slots cannot hold (a thread's first call, before it has an M,
// or nesting deeper than the slots) count in refs instead, with the owner
// holding one ref until callbackFree. A freed closure whose calls are in
// flight waits on the pending list; reap() deletes it once refs is 0 and,
// after a processwide barrier, no M's slot holds it. lastError is under
// errLock (calls on many threads may fail at once).
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
    ffi_closure_free(closure_);
    destroy_(self_);
  }

  void* code() const { return code_; }

  // free is the owner's release.
  void free();

  // inUse counts the Ms' slots holding this closure; the caller has just
  // made a processwide barrier, and holds the pending lock.
  int64_t slotsHolding() const;

  int64_t refs() const { return refs_.load(std::memory_order_acquire); }

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
  __attribute__((force_align_arg_pointer)) static void entry(ffi_cif*, void* ret, void** args,
                                                             void* user) {
    auto* c = static_cast<CallbackCore*>(user);
    rt::M* m = rt::getm();
    int slot = -1;
    if (m != nullptr && m->callbackDepth < rt::M::kCallbackSlots) {
      slot = m->callbackDepth++;
      m->callbackInUse[slot].store(c, std::memory_order_relaxed);
    } else {
      c->refs_.fetch_add(1, std::memory_order_relaxed);
    }
    Call call{c, ret, args};
    if (!cb::cgocallback(runHandler, &call)) c->zeroResult(ret);
    if (slot >= 0) {
      // The same M: a callback returns on the thread it was called on.
      // Release: our uses of c come before a freer's scan can see the slot
      // empty.
      m->callbackInUse[slot].store(nullptr, std::memory_order_release);
      m->callbackDepth--;
    } else if (c->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      reapPending();  // the owner freed it meanwhile
    }
  }

  // runHandler runs on the callback's task.
  static void runHandler(void* p) {
    auto* call = static_cast<Call*>(p);
    CallbackCore* c = call->core;
    // Narrow integers: the handler writes its natural size, we widen.
    alignas(16) unsigned char narrow[16] = {};
    bool widen = c->narrowResult();
    void* ret = widen ? narrow : call->ret;
    try {
      c->h_(ret, call->args, c->self_);
    } catch (const std::exception& e) {
      c->failed(e.what(), call->ret);
      return;
    } catch (...) {
      c->failed("an exception not derived from std::exception", call->ret);
      return;
    }
    if (widen) c->widenInto(narrow, call->ret);
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
  std::atomic<int64_t> refs_{1};  // the owner's, and calls the slots do not hold
  mutable rt::Lock errLock_;
  std::string lastError_;
};

namespace {
// Freed closures with calls in flight, under pendingLock. npending lets
// sysmon's hook return at once when there are none.
rt::Lock pendingLock;
std::vector<CallbackCore*>* pending = new std::vector<CallbackCore*>;  // never destroyed
std::atomic<size_t> npending{0};
}  // namespace

int64_t CallbackCore::slotsHolding() const {
  int64_t n = 0;
  rt::LockGuard g(rt::sched->lock);
  for (rt::M* m = rt::sched->allms; m != nullptr; m = m->alllink)
    for (auto& slot : m->callbackInUse)
      if (slot.load(std::memory_order_acquire) == this) n++;
  return n;
}

void CallbackCore::free() {
  rt::LockGuard g(pendingLock);
  refs_.fetch_sub(1, std::memory_order_acq_rel);
  rt::processwideBarrier();
  int64_t inFlight = refs() + slotsHolding();
  if (inFlight == 0) {
    delete this;
    return;
  }
  rt::usererror(
      "a Callback was destroyed while %lld call(s) of it were in flight; its closure is freed "
      "when they return, and calling its pointer after that is undefined",
      static_cast<long long>(inFlight));
  pending->push_back(this);
  npending.store(pending->size(), std::memory_order_release);
  rt::setSysmonHook(reapPending);
}

void reapPending() {
  if (npending.load(std::memory_order_acquire) == 0) return;
  rt::LockGuard g(pendingLock);
  rt::processwideBarrier();
  for (size_t i = 0; i < pending->size();) {
    CallbackCore* c = (*pending)[i];
    if (c->refs() == 0 && c->slotsHolding() == 0) {
      delete c;
      (*pending)[i] = pending->back();
      pending->pop_back();
    } else {
      i++;
    }
  }
  npending.store(pending->size(), std::memory_order_release);
}

CallbackCore* callbackNew(const std::string& signature, RawHandler handler, void* self,
                          void (*destroySelf)(void*), OnException policy) {
  try {
    return new CallbackCore(signature, handler, self, destroySelf, policy);
  } catch (...) {
    destroySelf(self);
    throw;
  }
}

void* callbackFn(const CallbackCore* c) { return c->code(); }

void callbackFree(CallbackCore* c) { c->free(); }

std::string callbackLastError(const CallbackCore* c) { return c->lastError(); }

}  // namespace cbridge::detail

namespace cbridge {

int64_t m_id() {
  rt::M* m = rt::getm();
  return m != nullptr ? m->id : -1;
}

}  // namespace cbridge
