#include "bridge/prepared_call.hpp"

#include <cstring>

#include "bridge/signature_quote.hpp"
#include "cbridge/call.hpp"
#include "cbridge/errors.hpp"

namespace cbridge::bridge {

namespace {

ffi_type* scalar(Kind k) {
  switch (k) {
    case Kind::Void: return &ffi_type_void;
    case Kind::SChar: return &ffi_type_schar;
    case Kind::UChar: return &ffi_type_uchar;
    case Kind::SShort: return &ffi_type_sshort;
    case Kind::UShort: return &ffi_type_ushort;
    case Kind::SInt: return &ffi_type_sint;
    case Kind::UInt: return &ffi_type_uint;
    case Kind::SLong: return &ffi_type_slong;
    case Kind::ULong: return &ffi_type_ulong;
    case Kind::SLongLong: return &ffi_type_sint64;
    case Kind::ULongLong: return &ffi_type_uint64;
    case Kind::Bool: return &ffi_type_uchar;  // _Bool is one byte, 0 or 1
    case Kind::Float: return &ffi_type_float;
    case Kind::Double: return &ffi_type_double;
    case Kind::LongDouble: return &ffi_type_longdouble;
    case Kind::Pointer: return &ffi_type_pointer;
    case Kind::Struct: break;
  }
  return nullptr;
}

bool integral(Kind k) {
  switch (k) {
    case Kind::SChar: case Kind::UChar: case Kind::SShort: case Kind::UShort: case Kind::SInt:
    case Kind::UInt: case Kind::Bool:
      return true;
    default:
      return false;
  }
}

const char* statusText(ffi_status st) {
  switch (st) {
    case FFI_BAD_TYPEDEF: return "libffi rejected a type (FFI_BAD_TYPEDEF)";
    case FFI_BAD_ABI: return "libffi rejected the ABI (FFI_BAD_ABI)";
#ifdef FFI_BAD_ARGTYPE
    case FFI_BAD_ARGTYPE: return "libffi rejected an argument type (FFI_BAD_ARGTYPE)";
#endif
    default: return "libffi could not prepare the call";
  }
}

struct FfiCall {
  const ffi_cif* cif;
  void* fn;
  void* ret;
  void* const* args;
};

void doFfiCall(void* p) {
  auto* c = static_cast<FfiCall*>(p);
  ffi_call(const_cast<ffi_cif*>(c->cif), FFI_FN(c->fn), c->ret, const_cast<void**>(c->args));
}

}  // namespace

ffi_type* PreparedCall::build(const CType& t) {
  if (t.kind != Kind::Struct) return scalar(t.kind);
  auto elems = std::make_unique<ffi_type*[]>(t.fields.size() + 1);
  for (size_t i = 0; i < t.fields.size(); i++) elems[i] = build(t.fields[i]);
  elems[t.fields.size()] = nullptr;
  auto st = std::make_unique<ffi_type>();
  st->size = 0;  // computed by ffi_prep_cif
  st->alignment = 0;
  st->type = FFI_TYPE_STRUCT;
  st->elements = elems.get();
  ffi_type* raw = st.get();
  elements_.push_back(std::move(elems));
  structs_.push_back(std::move(st));
  return raw;
}

PreparedCall::PreparedCall(const std::string& signature) : signature_(signature) {
  CSignature sig = parseSignature(signature);
  retType_ = build(sig.ret);
  for (const CType& p : sig.params) argTypes_.push_back(build(p));
  for (const CType& v : sig.varargs) argTypes_.push_back(build(v));
  ffi_status st;
  if (sig.variadic)
    st = ffi_prep_cif_var(&cif_, FFI_DEFAULT_ABI, unsigned(sig.params.size()),
                          unsigned(argTypes_.size()), retType_, argTypes_.data());
  else
    st = ffi_prep_cif(&cif_, FFI_DEFAULT_ABI, unsigned(argTypes_.size()), retType_,
                      argTypes_.data());
  if (st != FFI_OK) throw SignatureError(signatureQuote(signature) + ": " + statusText(st));
  retNarrow_ = integral(sig.ret.kind) && retType_->size < sizeof(ffi_arg);
  retSize_ = retType_->size;
  retKind_ = sig.ret.kind;
  variadic_ = sig.variadic;
}

void PreparedCall::call(void* fn, void* ret, void* const* args) const {
  ffi_arg wide;
  alignas(16) unsigned char discard[64];
  std::unique_ptr<unsigned char[]> bigDiscard;
  void* into = ret;
  if (retNarrow_) {
    into = &wide;
  } else if (into == nullptr && retSize_ > 0) {
    // The caller does not want the result; libffi still writes it.
    if (retSize_ <= sizeof discard) {
      into = discard;
    } else {
      bigDiscard.reset(new unsigned char[retSize_]);
      into = bigDiscard.get();
    }
  }
  FfiCall c{&cif_, fn, into, args};
  detail::cgocall(doFfiCall, &c);
  // Little-endian: the value is in the low bytes of the ffi_arg.
  if (retNarrow_ && ret != nullptr) std::memcpy(ret, &wide, retSize_);
}

}  // namespace cbridge::bridge
