// SPDX-License-Identifier: MIT
// The C API of cbridge.h over the C++ bridge.
#include <exception>
#include <memory>
#include <string>

#include "bridge/call_cache.hpp"
#include "bridge/last_error.hpp"
#include "bridge/signature_quote.hpp"
#include "cbridge/cbridge.h"
#include "runtime/attributes.hpp"

namespace {

int fail(int code, std::string what) {
  cbridge::bridge::setLastError(std::move(what));
  return code;
}

}  // namespace

#define CBRIDGE_STR2(x) #x
#define CBRIDGE_STR(x) CBRIDGE_STR2(x)

extern "C" unsigned int cbridge_version(void) { return CBRIDGE_VERSION_HEX; }

extern "C" const char* cbridge_version_string(void) {
  return CBRIDGE_STR(CBRIDGE_VERSION_MAJOR) "." CBRIDGE_STR(CBRIDGE_VERSION_MINOR) "." CBRIDGE_STR(
      CBRIDGE_VERSION_PATCH);
}

namespace {

// callSlow is cbridge_call past a miss of this thread's cache: the checks,
// the shared cache (or a parse) and the call, holding a reference when
// the prepared call is not cached here.
CBRIDGE_NOINLINE int callSlow(void* fn, const char* signature, void* ret, void** args) {
  if (signature == nullptr) return fail(CBRIDGE_ERR_ARGUMENT, "cbridge_call: signature is NULL");
  if (fn == nullptr)
    return fail(CBRIDGE_ERR_ARGUMENT,
                "cbridge_call: fn is NULL (" + cbridge::bridge::signatureQuote(signature) + ")");
  std::shared_ptr<const cbridge::bridge::PreparedCall> hold;
  const cbridge::bridge::PreparedCall* pc;
  try {
    pc = cbridge::bridge::cachedCall(signature, &hold);
  } catch (const std::exception& e) {
    return fail(CBRIDGE_ERR_SIGNATURE, e.what());
  }
  if (args == nullptr && pc->nargs() > 0)
    return fail(CBRIDGE_ERR_ARGUMENT, "cbridge_call: args is NULL but " +
                                          cbridge::bridge::signatureQuote(signature) + " has " +
                                          std::to_string(pc->nargs()) + " argument(s)");
  pc->call(fn, ret, args);
  return CBRIDGE_OK;
}

}  // namespace

extern "C" int cbridge_call(void* fn, const char* signature, void* ret, void** args) {
  // The common path: a hit in this thread's cache, by text, with no lock
  // and no reference taken (call_cache_local.cpp says why the pointer
  // stays valid through the call).
  const cbridge::bridge::PreparedCall* pc;
  if (fn != nullptr && signature != nullptr &&
      (pc = cbridge::bridge::localCachedCall(signature)) != nullptr &&
      (args != nullptr || pc->nargs() == 0)) [[likely]] {
    pc->call(fn, ret, args);
    return CBRIDGE_OK;
  }
  return callSlow(fn, signature, ret, args);
}

extern "C" const char* cbridge_last_error(void) { return cbridge::bridge::lastErrorText(); }
