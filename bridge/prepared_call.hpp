// SPDX-License-Identifier: MIT
// A signature turned into a libffi call interface, once.
#pragma once

#include <ffi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bridge/ctype.hpp"
#include "cbridge/call.hpp"

namespace cbridge::bridge {

// RegFrame is what bridge/regcall_amd64_sysv.S loads into the argument
// registers and stores the results into (its offsets are fixed there).
struct RegFrame {
  uint64_t gpr[6];  // rdi, rsi, rdx, rcx, r8, r9
  uint64_t sse[8];  // xmm0-7, the low 8 bytes
  uint64_t nsse;    // %al: SSE registers used, for a variadic callee
  uint64_t rax;     // results
  uint64_t xmm0;
  void* fn;         // what to call
};

// foreignCallDepth counts the prepared calls in progress on this thread
// (nested through callbacks): the thread-local signature cache of
// cbridge_call frees no entry while one of its calls may still use it
// (call_cache.cpp). Only its own thread touches it, on the stack the call
// runs on (g0 for a task), so it needs no atomic.
uint32_t foreignCallDepth();

class PreparedCall;
// The arguments of one call, and its foreign part (prepared_call.cpp).
struct CallArgs {
  const PreparedCall* pc;
  void* fn;
  void* ret;
  void* const* args;
};
void callOnSystemStack(void* p);

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
  // as foreign code (cgocall). Everything it reads of the PreparedCall it
  // reads inside the foreign part of the call, on the thread that runs it:
  // once that returns, the PreparedCall may be freed (call_cache.cpp
  // relies on this).
  // Inline: it is the hot path of every prepared call.
  void call(void* fn, void* ret, void* const* args) const {
    if (regs_) return callRegisters(fn, ret, args);
    CallArgs c{this, fn, ret, args};
    detail::cgocall(callOnSystemStack, &c);
  }
  // registers says whether calls take the register-only fast path
  // (regcall_amd64_sysv.S) rather than ffi_call.
  bool registers() const { return regs_; }

  size_t nargs() const { return argTypes_.size(); }
  const ffi_cif* cif() const { return &cif_; }
  bool variadic() const { return variadic_; }
  Kind retKind() const { return retKind_; }
  size_t retSize() const { return retSize_; }
  const std::string& signature() const { return signature_; }

 private:
  ffi_type* build(const CType& t);
  void planRegisters(const CSignature& sig);

  friend void callOnSystemStack(void* p);
  void callFfi(void* fn, void* ret, void* const* args) const;
  void callRegisters(void* fn, void* ret, void* const* args) const;

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
  // The register plan, made once (planRegisters): for argument i, its kind
  // and the register slot it goes to (gpr[slot], or sse[slot] for float
  // and double). regs_ false: the signature needs ffi_call (a struct, long
  // double, or arguments on the stack).
  struct ArgPlan {
    Kind kind;
    uint8_t slot;
  };
  std::vector<ArgPlan> plan_;
  uint8_t nsse_ = 0;
  bool regs_ = false;
};

}  // namespace cbridge::bridge
