// SPDX-License-Identifier: MIT
// Loading shared objects and binding their functions by signature.
#pragma once

#include <string>

#include "cbridge/cfunction.hpp"
#include "cbridge/dynamic.hpp"
#include "cbridge/errors.hpp"
#include "cbridge/export.h"

namespace cbridge {

// Library is a dlopen'ed shared object, closed when the Library is
// destroyed (functions bound from it must not be called after that).
class CBRIDGE_EXPORT Library {
 public:
  // Throws LibraryError("cannot load library \"path\": <dlerror>").
  explicit Library(const std::string& path);
  ~Library();
  Library(Library&& o) noexcept;
  Library& operator=(Library&& o) noexcept;
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // symbol looks a symbol up; throws LibraryError("symbol \"name\" not
  // found in \"path\": <dlerror>").
  void* symbol(const std::string& name) const;
  // function binds a function symbol with its signature (see
  // ForeignFunction); throws LibraryError or SignatureError.
  ForeignFunction function(const std::string& name, const std::string& signature) const;

  // get binds a function symbol with its C++ type F, checked by you, not
  // by the library (as a C header would be): get<double(double)>("cos"),
  // get<int(const char*, ...)>("printf"), or a pointer type. The result
  // is a CFunction<F>, called through the typed path (cbridge::call, no
  // libffi). Throws LibraryError as symbol() does, and when the symbol's
  // value is null ("symbol \"name\" in \"path\" is null").
  template <typename F>
  CFunction<F> get(const std::string& name) const {
    void* p = symbol(name);
    if (p == nullptr) throw LibraryError("symbol \"" + name + "\" in \"" + path_ + "\" is null");
    return CFunction<F>(reinterpret_cast<typename CFunction<F>::pointer>(p));
  }

  const std::string& path() const { return path_; }  // the path it was opened with

 private:
  std::string path_;
  void* handle_;
};

}  // namespace cbridge
