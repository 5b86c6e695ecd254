// A signature turned into a libffi call interface, once.
#pragma once

#include <ffi.h>

#include <memory>
#include <string>
#include <vector>

#include "bridge/ctype.hpp"

namespace cbridge::bridge {

// PreparedCall owns an ffi_cif and the ffi_types it points to. Calling it
// parses and allocates nothing. Immutable after construction, so one may
// be called from many tasks at once.
class PreparedCall {
 public:
  // Throws SignatureError when the signature does not parse or libffi
  // refuses it.
  explicit PreparedCall(const std::string& signature);

  // call calls fn with the arguments args[i] points to, storing the result
  // in ret (which may be null for void, and is sized as the C return type),
  // as foreign code (cgocall).
  void call(void* fn, void* ret, void* const* args) const;

  size_t nargs() const { return argTypes_.size(); }
  const ffi_cif* cif() const { return &cif_; }
  bool variadic() const { return variadic_; }
  Kind retKind() const { return retKind_; }
  size_t retSize() const { return retSize_; }
  const std::string& signature() const { return signature_; }

 private:
  ffi_type* build(const CType& t);

  std::string signature_;
  // Struct types and their element arrays; the cif points into them.
  std::vector<std::unique_ptr<ffi_type>> structs_;
  std::vector<std::unique_ptr<ffi_type*[]>> elements_;
  std::vector<ffi_type*> argTypes_;
  ffi_type* retType_ = nullptr;
  ffi_cif cif_{};
  // libffi returns integers narrower than a register as a whole ffi_arg;
  // retNarrow says to call into one and copy retSize bytes out.
  bool retNarrow_ = false;
  size_t retSize_ = 0;
  Kind retKind_ = Kind::Void;
  bool variadic_ = false;
};

}  // namespace cbridge::bridge
