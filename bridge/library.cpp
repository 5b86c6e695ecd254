// SPDX-License-Identifier: MIT
#include <dlfcn.h>

#include <utility>

#include "cbridge/errors.hpp"
#include "cbridge/library.hpp"

namespace cbridge {

namespace {
std::string dlerrorText() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown error";
}
}  // namespace

Library::Library(const std::string& path) : path_(path) {
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr)
    throw LibraryError("cannot load library \"" + path + "\": " + dlerrorText());
}

Library::~Library() {
  if (handle_ != nullptr) dlclose(handle_);
}

Library::Library(Library&& o) noexcept
    : path_(std::move(o.path_)), handle_(std::exchange(o.handle_, nullptr)) {}

Library& Library::operator=(Library&& o) noexcept {
  std::swap(path_, o.path_);
  std::swap(handle_, o.handle_);
  return *this;
}

void* Library::symbol(const std::string& name) const {
  if (handle_ == nullptr) throw LibraryError("symbol \"" + name + "\": the Library was moved from");
  dlerror();  // clear: a symbol's value may legitimately be null
  void* p = dlsym(handle_, name.c_str());
  if (const char* e = dlerror())
    throw LibraryError("symbol \"" + name + "\" not found in \"" + path_ + "\": " + e);
  return p;
}

ForeignFunction Library::function(const std::string& name, const std::string& signature) const {
  return ForeignFunction(symbol(name), signature);
}

}  // namespace cbridge
