// SPDX-License-Identifier: MIT
// Calls of C functions whose signature is known only at run time (plugin
// hosts), through libffi.
#pragma once

#include <memory>
#include <string>

#include "cbridge/export.h"

namespace cbridge {

namespace bridge {
class PreparedCall;
}

// ForeignFunction is a C function pointer with its signature, parsed once
// into a prepared libffi call. Signatures are C prototypes without names:
//   "int(int, double, const char*)", "void(void)", "double(struct {int; double})",
//   "int(char*, size_t, const char*, ..., int, double)"
// Every C scalar type, any pointer (T*), structs by value (nested, written
// as struct {...}) and variadic functions are supported. For a variadic
// function the types after "..." are those of the variadic arguments of
// the calls you will make (as C promotes them: int, not char; double, not
// float).
class CBRIDGE_EXPORT ForeignFunction {
 public:
  // Throws SignatureError ("signature \"...\": expected a type at column
  // 9") for a bad signature, std::invalid_argument for a null fn.
  ForeignFunction(void* fn, const std::string& signature);
  ~ForeignFunction();
  ForeignFunction(ForeignFunction&&) noexcept;
  ForeignFunction& operator=(ForeignFunction&&) noexcept;

  // call passes the arguments args[i] points to (one per parameter,
  // fixed and variadic) and stores the result in *ret, a buffer of the C
  // return type (nullptr to drop it). It runs as foreign code: the task's
  // P may go to another M while it lasts, and it runs on the system stack.
  void call(void* ret, void* const* args) const;

  size_t arity() const;                         // parameters, fixed and variadic
  void* pointer() const { return fn_; }         // the C function
  const std::string& signature() const;         // the signature it was bound with

 private:
  void* fn_;
  std::unique_ptr<bridge::PreparedCall> prepared_;
};

}  // namespace cbridge
