// SPDX-License-Identifier: MIT
// dl.hpp on Unix: dlopen, dlsym and dlclose, with dlerror read right after
// each.
#include "runtime/dl.hpp"

#include <dlfcn.h>

namespace cbridge::rt {

void* dlopenlib(const char* path, const char** err) {
  void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) *err = dlerror();
  return h;
}

void* dlsymbol(void* lib, const char* name, const char** err) {
  dlerror();  // clear: a symbol's value may legitimately be null
  void* p = dlsym(lib, name);
  *err = dlerror();
  return p;
}

bool dlcloselib(void* lib, const char** err) {
  if (dlclose(lib) == 0) return true;
  *err = dlerror();
  return false;
}

}  // namespace cbridge::rt
