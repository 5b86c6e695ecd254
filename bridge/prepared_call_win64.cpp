// SPDX-License-Identifier: MIT
// The register plan of a prepared call on Win64 (prepared_call.cpp has
// the SysV one). The Microsoft x64 ABI classifies by position, not by
// class: argument i travels in the i-th of rcx, rdx, r8, r9 if it is an
// integer or a pointer, in xmm<i> if it is a float or a double, and on the
// stack from the fifth on. A struct, even a small one, and long double go
// by value in a register or by reference depending on their size, which
// ffi_call already gets right, so they stay on its path. So a signature
// takes the register path when it has at most four arguments and none of
// them, nor the result, is a struct or a long double; argument i's slot is
// i, and regcall_amd64_win64.S loads both registers of a position from
// RegFrame::gpr[i] (a variadic callee reads a double from the integer
// register; a fixed one ignores the register its prototype does not name).
#include "bridge/prepared_call.hpp"

namespace cbridge::bridge {

void PreparedCall::planRegisters(const CSignature& sig) {
  auto simple = [](Kind k) { return k != Kind::Struct && k != Kind::LongDouble; };
  if (!simple(sig.ret.kind)) return;
  auto add = [&](const CType& t) {
    if (!simple(t.kind) || plan_.size() == 4) return false;
    // long is 32 bits on Windows (LLP64): loaded as an int, so that
    // callRegisters reads 4 bytes of it and extends them.
    Kind k = t.kind == Kind::SLong ? Kind::SInt : t.kind == Kind::ULong ? Kind::UInt : t.kind;
    plan_.push_back({k, uint8_t(plan_.size())});
    return true;
  };
  for (const CType& p : sig.params)
    if (!add(p)) return plan_.clear();
  for (const CType& v : sig.varargs)
    if (!add(v)) return plan_.clear();
  regs_ = true;
}

}  // namespace cbridge::bridge
