// SPDX-License-Identifier: MIT
#include "bridge/last_error.hpp"

#include "runtime/fatal.hpp"
#include "runtime/os.hpp"
#include "runtime/runtime2.hpp"

namespace cbridge::bridge {

namespace {
// A thread's text, made on its first error and freed at its end by the
// key's destructor. Not a thread_local std::string: mingw-w64 runs a
// thread_local's destructor after emutls has freed its storage, so the
// string freed a pointer read from freed memory at every thread's end.
thread_local std::string* threadLastError = nullptr;

void freeThreadLastError(void* p) {
  delete static_cast<std::string*>(p);
  threadLastError = nullptr;
}

std::string& lastError() {
  rt::G* gp = rt::getg();
  if (gp != nullptr) return gp->lastError;
  // Not in a task, so on this thread for the whole call: the thread's
  // own text.
  if (threadLastError == nullptr) {
    static rt::TlsKey key;
    static const bool haveKey = rt::tlskeycreate(&key, freeThreadLastError);
    threadLastError = new std::string;
    if (haveKey) rt::tlsset(key, threadLastError);
  }
  return *threadLastError;
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
