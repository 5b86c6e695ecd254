// SPDX-License-Identifier: MIT
// cbridge.h's libraries: dlopen, dlsym and dlclose with dlerror's text in
// cbridge_last_error(). dlerror's state is per thread and a task may move
// between threads, so each dl* call and its dlerror() run back to back in
// this file, with no switch point between them.
#include <dlfcn.h>

#include <string>

#include "bridge/last_error.hpp"
#include "cbridge/cbridge.h"

struct cbridge_lib {
  void* handle;
  std::string path;  // for messages; "(main program)" for NULL
};

namespace {
std::atomic<bool> nullLibReported{false};

std::string dlerrorText() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown dlerror";
}
}  // namespace

using cbridge::bridge::misuse;

extern "C" cbridge_lib* cbridge_lib_open(const char* path) {
  void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    cbridge::bridge::setLastError(std::string("cannot load library \"") +
                                  (path != nullptr ? path : "(main program)") +
                                  "\": " + dlerrorText());
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
  dlerror();  // clear: a symbol's value may be NULL
  void* p = dlsym(lib->handle, name);
  if (const char* e = dlerror()) {
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
  int r = dlclose(lib->handle);
  std::string path = std::move(lib->path);
  delete lib;
  if (r != 0)
    return cbridge::bridge::failWith(CBRIDGE_ERR_LIBRARY,
                                     "cannot close library \"" + path + "\": " + dlerrorText());
  return CBRIDGE_OK;
}
