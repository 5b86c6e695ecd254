// SPDX-License-Identifier: MIT
// describe_signature: the parser's CSignature (bridge/ctype.hpp) as the
// public SignatureInfo, with C's sizes and alignments (LP64), a struct's
// laid out as C does.
#include <cstddef>

#include "bridge/ctype.hpp"
#include "cbridge/signature.hpp"

namespace cbridge {

namespace {

template <typename T>
CTypeInfo scalar(CTypeKind k) {
  return CTypeInfo{k, sizeof(T), alignof(T), {}};
}

CTypeInfo info(const bridge::CType& t) {
  using bridge::Kind;
  switch (t.kind) {
    case Kind::Void: return CTypeInfo{};
    case Kind::SChar: return scalar<signed char>(CTypeKind::Signed);
    case Kind::UChar: return scalar<unsigned char>(CTypeKind::Unsigned);
    case Kind::SShort: return scalar<short>(CTypeKind::Signed);
    case Kind::UShort: return scalar<unsigned short>(CTypeKind::Unsigned);
    case Kind::SInt: return scalar<int>(CTypeKind::Signed);
    case Kind::UInt: return scalar<unsigned>(CTypeKind::Unsigned);
    case Kind::SLong: return scalar<long>(CTypeKind::Signed);
    case Kind::ULong: return scalar<unsigned long>(CTypeKind::Unsigned);
    case Kind::SLongLong: return scalar<long long>(CTypeKind::Signed);
    case Kind::ULongLong: return scalar<unsigned long long>(CTypeKind::Unsigned);
    case Kind::Bool: return scalar<bool>(CTypeKind::Bool);
    case Kind::Float: return scalar<float>(CTypeKind::Float);
    case Kind::Double: return scalar<double>(CTypeKind::Float);
    case Kind::LongDouble: return scalar<long double>(CTypeKind::Float);
    case Kind::Pointer: return scalar<void*>(CTypeKind::Pointer);
    case Kind::Struct: break;
  }
  CTypeInfo s{CTypeKind::Struct, 0, 1, {}};
  for (const auto& f : t.fields) {
    CTypeInfo fi = info(f);
    s.size = (s.size + fi.align - 1) / fi.align * fi.align + fi.size;
    if (fi.align > s.align) s.align = fi.align;
    s.fields.push_back(std::move(fi));
  }
  s.size = (s.size + s.align - 1) / s.align * s.align;
  return s;
}

}  // namespace

SignatureInfo describe_signature(const std::string& signature) {
  bridge::CSignature sig = bridge::parseSignature(signature);
  SignatureInfo r;
  r.result = info(sig.ret);
  for (const auto& p : sig.params) r.params.push_back(info(p));
  r.fixed = r.params.size();
  r.variadic = sig.variadic;
  for (const auto& v : sig.varargs) r.params.push_back(info(v));
  return r;
}

}  // namespace cbridge
