// SPDX-License-Identifier: MIT
#include <utility>

#include "cbridge/errors.hpp"
#include "cbridge/library.hpp"
#include "runtime/dl.hpp"

namespace cbridge {

namespace {
std::string errorText(const char* e) { return e != nullptr ? e : "unknown error"; }
}  // namespace

Library::Library(const std::string& path) : path_(path) {
  const char* err = nullptr;
  handle_ = rt::dlopenlib(path.c_str(), &err);
  if (handle_ == nullptr)
    throw LibraryError("cannot load library \"" + path + "\": " + errorText(err));
}

Library::~Library() {
  const char* err;
  if (handle_ != nullptr) rt::dlcloselib(handle_, &err);
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
  const char* e = nullptr;
  void* p = rt::dlsymbol(handle_, name.c_str(), &e);
  if (e != nullptr)
    throw LibraryError("symbol \"" + name + "\" not found in \"" + path_ + "\": " + e);
  return p;
}

ForeignFunction Library::function(const std::string& name, const std::string& signature) const {
  return ForeignFunction(symbol(name), signature);
}

}  // namespace cbridge
