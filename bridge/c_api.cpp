// The C API of cbridge.h over the C++ bridge.
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>

#include "bridge/last_error.hpp"
#include "bridge/prepared_call.hpp"
#include "bridge/signature_quote.hpp"
#include "cbridge/cbridge.h"
#include "runtime/lock.hpp"

namespace {

// Prepared calls by signature text, never evicted: a program uses a
// bounded set of signatures. Entries are immutable once inserted.
struct CallCache {
  cbridge::rt::Lock lock;
  std::unordered_map<std::string, std::unique_ptr<cbridge::bridge::PreparedCall>> bySignature;
};

CallCache& cache() {
  static CallCache* c = new CallCache;  // never destroyed: calls may run at exit
  return *c;
}

int fail(int code, std::string what) {
  cbridge::bridge::setLastError(std::move(what));
  return code;
}

}  // namespace

extern "C" int cbridge_call(void* fn, const char* signature, void* ret, void** args) {
  if (signature == nullptr) return fail(CBRIDGE_ERR_ARGUMENT, "cbridge_call: signature is NULL");
  if (fn == nullptr)
    return fail(CBRIDGE_ERR_ARGUMENT,
                "cbridge_call: fn is NULL (" + cbridge::bridge::signatureQuote(signature) + ")");
  const cbridge::bridge::PreparedCall* pc = nullptr;
  {
    CallCache& c = cache();
    cbridge::rt::LockGuard g(c.lock);
    auto it = c.bySignature.find(signature);
    if (it != c.bySignature.end()) pc = it->second.get();
  }
  if (pc == nullptr) {
    std::unique_ptr<cbridge::bridge::PreparedCall> fresh;
    try {
      fresh = std::make_unique<cbridge::bridge::PreparedCall>(signature);
    } catch (const std::exception& e) {
      return fail(CBRIDGE_ERR_SIGNATURE, e.what());
    }
    CallCache& c = cache();
    cbridge::rt::LockGuard g(c.lock);
    auto [it, inserted] = c.bySignature.emplace(signature, std::move(fresh));
    pc = it->second.get();  // another thread may have inserted it first
  }
  if (args == nullptr && pc->nargs() > 0)
    return fail(CBRIDGE_ERR_ARGUMENT, "cbridge_call: args is NULL but " +
                                          cbridge::bridge::signatureQuote(signature) + " has " +
                                          std::to_string(pc->nargs()) + " argument(s)");
  pc->call(fn, ret, args);
  return CBRIDGE_OK;
}

extern "C" const char* cbridge_last_error(void) { return cbridge::bridge::lastErrorText(); }
