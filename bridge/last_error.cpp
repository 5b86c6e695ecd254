#include "bridge/last_error.hpp"

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

}  // namespace cbridge::bridge
