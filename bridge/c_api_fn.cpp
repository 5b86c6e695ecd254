// SPDX-License-Identifier: MIT
// cbridge.h's prepared calls: a function pointer and its PreparedCall,
// made once by cbridge_fn_new and immutable after, so any number of tasks
// and threads may call it at once without a lock. The call path is the
// PreparedCall's (cgocall, on x86-64 the register fast path): this file
// adds only the argument checks a C caller can get wrong.
#include <exception>
#include <memory>
#include <string>

#include "bridge/last_error.hpp"
#include "bridge/prepared_call.hpp"
#include "bridge/signature_quote.hpp"
#include "cbridge/cbridge.h"
#include "runtime/attributes.hpp"

struct cbridge_fn {
  void* fn;
  cbridge::bridge::PreparedCall call;
};

namespace {
std::atomic<bool> nullNewReported{false};
std::atomic<bool> nullFnReported{false};
std::atomic<bool> nullArgsReported{false};
}  // namespace

using cbridge::bridge::misuse;

namespace {
// The misuse paths, out of line so that the call's own path saves no
// registers for them.
CBRIDGE_NOINLINE CBRIDGE_COLD int nullFn() {
  return misuse(&nullFnReported, CBRIDGE_ERR_ARGUMENT,
                "cbridge_fn_call: f is NULL; check the result of cbridge_fn_new");
}
CBRIDGE_NOINLINE CBRIDGE_COLD int nullArgs(const cbridge_fn* f) {
  return misuse(&nullArgsReported, CBRIDGE_ERR_ARGUMENT,
                "cbridge_fn_call: args is NULL but " +
                    cbridge::bridge::signatureQuote(f->call.signature()) + " has " +
                    std::to_string(f->call.nargs()) + " argument(s); nothing was called");
}
}  // namespace

extern "C" cbridge_fn* cbridge_fn_new(void* fn, const char* signature) {
  if (signature == nullptr) {
    misuse(&nullNewReported, CBRIDGE_ERR_ARGUMENT,
           "cbridge_fn_new: signature is NULL; pass the C prototype, e.g. \"int(int, double)\"");
    return nullptr;
  }
  if (fn == nullptr) {
    misuse(&nullNewReported, CBRIDGE_ERR_ARGUMENT,
           "cbridge_fn_new: fn is NULL (" + cbridge::bridge::signatureQuote(signature) +
               "); check the result of cbridge_lib_sym or dlsym");
    return nullptr;
  }
  try {
    return new cbridge_fn{fn, cbridge::bridge::PreparedCall(signature)};
  } catch (const std::bad_alloc&) {
    cbridge::bridge::setLastError("cbridge_fn_new: out of memory");
    return nullptr;
  } catch (const std::exception& e) {
    cbridge::bridge::setLastError(e.what());  // the signature's error, with its column
    return nullptr;
  }
}

extern "C" int cbridge_fn_call(const cbridge_fn* f, void* ret, void** args) {
  if (f == nullptr) [[unlikely]]
    return nullFn();
  if (args == nullptr && f->call.nargs() > 0) [[unlikely]]
    return nullArgs(f);
  f->call.call(f->fn, ret, args);
  return CBRIDGE_OK;
}

extern "C" void cbridge_fn_free(cbridge_fn* f) { delete f; }
