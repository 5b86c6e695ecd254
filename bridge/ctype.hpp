// SPDX-License-Identifier: MIT
// C types as the signature parser reads them.
#pragma once

#include <string>
#include <vector>

namespace cbridge::bridge {

enum class Kind {
  Void,
  SChar,
  UChar,
  SShort,
  UShort,
  SInt,
  UInt,
  SLong,
  ULong,
  SLongLong,
  ULongLong,
  Bool,
  Float,
  Double,
  LongDouble,
  Pointer,
  Struct,
};

struct CType {
  Kind kind = Kind::Void;
  std::vector<CType> fields;  // Struct only, in order
};

// A parsed signature. For a variadic function, params holds the fixed
// parameters and varargs the types of this call's variadic arguments (the
// types written after "...", already promoted).
struct CSignature {
  CType ret;
  std::vector<CType> params;
  bool variadic = false;
  std::vector<CType> varargs;
};

// parseSignature reads a C prototype without names, e.g.
// "int(int, double, const char*)", "void(void)",
// "double(struct {int; double}, ...)", "int(const char*, ..., int, double)".
// It throws SignatureError naming the column and what was expected.
CSignature parseSignature(const std::string& sig);

}  // namespace cbridge::bridge
