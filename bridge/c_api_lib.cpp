// SPDX-License-Identifier: MIT
// cbridge.h's libraries: dlopen, dlsym and dlclose (runtime/dl.hpp) with
// the OS's error text in cbridge_last_error(). dl.hpp hands each call's
// error back with its result, so no task switch comes between them.
#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"
#include "runtime/dl.hpp"

struct cbridge_lib {
  void* handle;
  std::string path;  // for messages; "(main program)" for NULL
};

namespace {
std::atomic<bool> nullLibReported{false};

std::string errorText(const char* e) { return e != nullptr ? e : "unknown dlerror"; }
}  // namespace

using cbridge::bridge::misuse;

extern "C" cbridge_lib* cbridge_lib_open(const char* path) {
  const char* err = nullptr;
  void* h = cbridge::rt::dlopenlib(path, &err);
  if (h == nullptr) {
    cbridge::bridge::setLastError(std::string("cannot load library \"") +
                                  (path != nullptr ? path : "(main program)") +
                                  "\": " + errorText(err));
    return nullptr;
  }
  return new cbridge_lib{h, path != nullptr ? path : "(main program)"};
}

extern "C" void* cbridge_lib_sym(cbridge_lib* lib, const char* name) {
  if (lib == nullptr || name == nullptr) {
    misuse(&nullLibReported, CBRIDGE_ERR_ARGUMENT,
           std::string("cbridge_lib_sym: ") + (lib == nullptr ? "lib" : "name") +
               " is NULL; check the result of cbridge_lib_open");
    return nullptr;
  }
  const char* e = nullptr;
  void* p = cbridge::rt::dlsymbol(lib->handle, name, &e);
  if (e != nullptr) {
    cbridge::bridge::setLastError(std::string("symbol \"") + name + "\" not found in \"" +
                                  lib->path + "\": " + e);
    return nullptr;
  }
  if (p == nullptr) cbridge::bridge::setLastError("");  // found, with the value NULL
  return p;
}

extern "C" int cbridge_lib_close(cbridge_lib* lib) {
  if (lib == nullptr)
    return misuse(&nullLibReported, CBRIDGE_ERR_ARGUMENT,
                  "cbridge_lib_close: lib is NULL; check the result of cbridge_lib_open");
  const char* err = nullptr;
  bool closed = cbridge::rt::dlcloselib(lib->handle, &err);
  std::string path = std::move(lib->path);
  delete lib;
  if (!closed)
    return cbridge::bridge::failWith(CBRIDGE_ERR_LIBRARY,
                                     "cannot close library \"" + path + "\": " + errorText(err));
  return CBRIDGE_OK;
}
