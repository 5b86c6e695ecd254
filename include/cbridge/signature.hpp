// SPDX-License-Identifier: MIT
// What a signature string says, for programs that convert values to and
// from C themselves (cbridge-call, a plugin host reading arguments from a
// config file): the bridge's own parser, its result as kinds and sizes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cbridge/export.h"

namespace cbridge {

// How a C type of a signature holds its value.
enum class CTypeKind {
  Void,
  Signed,    // signed char (and char where it is signed), short, int, long, long long
  Unsigned,  // unsigned ones (and char where it is unsigned)
  Bool,
  Float,    // float, double, long double: told apart by size
  Pointer,  // any T*
  Struct,   // a struct by value
};

// CTypeInfo is one C type of a signature.
struct CTypeInfo {
  CTypeKind kind = CTypeKind::Void;  // how it holds its value
  std::size_t size = 0;   // sizeof in bytes (0 for void)
  std::size_t align = 1;  // alignof in bytes
  std::vector<CTypeInfo> fields;  // Struct only, in order
};

// SignatureInfo is a parsed signature: params holds the fixed parameters,
// then (for a variadic function) the variadic arguments written after
// "...".
struct SignatureInfo {
  CTypeInfo result;               // the result type (kind Void for void)
  std::vector<CTypeInfo> params;  // fixed parameters, then variadic arguments
  std::size_t fixed = 0;  // how many of params are fixed
  bool variadic = false;  // whether the signature has "..."
};

// describe_signature parses signature as ForeignFunction does ("double(double)",
// "int(const char*, ..., int)"). Throws SignatureError, whose what() names
// the signature, the column (1-based, "at column N") and what was expected
// there, for a signature ForeignFunction would refuse.
CBRIDGE_EXPORT SignatureInfo describe_signature(const std::string& signature);

}  // namespace cbridge
