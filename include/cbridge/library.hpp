// Loading shared objects and binding their functions by signature.
#pragma once

#include <string>

#include "cbridge/dynamic.hpp"
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

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* handle_;
};

}  // namespace cbridge
