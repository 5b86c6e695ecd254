// SPDX-License-Identifier: MIT
#include "bridge/last_error.hpp"

#include "runtime/fatal.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::bridge {

namespace {
thread_local std::string threadLastError;

std::string& lastError() {
  rt::G* gp = rt::getg();
  return gp != nullptr ? gp->lastError : threadLastError;
}
}  // namespace

void setLastError(std::string what) { lastError() = std::move(what); }

const char* lastErrorText() { return lastError().c_str(); }

int failWith(int code, std::string what) {
  setLastError(std::move(what));
  return code;
}

int misuse(std::atomic<bool>* reported, int code, std::string what) {
  rt::usererrorOnce(reported, "%s", what.c_str());
  setLastError(std::move(what));
  return code;
}

}  // namespace cbridge::bridge
