// SPDX-License-Identifier: MIT
// A signature turned into a call, once: the ffi_cif libffi calls through,
// and, on x86-64 for signatures whose arguments all go in registers (most
// C APIs: ints, pointers, doubles, up to six and eight of them), a plan
// that loads them straight into the registers (regcall_amd64_sysv.S). That path
// is what makes a prepared call cost little more than a typed one: ffi_call
// classifies every argument again on every call, allocates the stack
// area with alloca and goes through two more calls, where the plan is one
// load per argument.
//
// Lifetime: call() reads the PreparedCall only before the foreign call
// starts (the register path: the plan is applied into a frame on the
// caller's stack, and what the result needs is copied to locals) or inside
// its foreign part (callOnSystemStack, ffi_call reads the cif), on the
// thread that runs it, with foreignCallDepth raised; call_cache.cpp's
// thread-local cache frees an entry only on its own thread at depth 0, so
// an entry can never be freed under a call that uses it (a callback nested
// in the call may look signatures up, but not evict them).
#include "bridge/prepared_call.hpp"

#include <cstring>

#include "bridge/signature_quote.hpp"
#include "cbridge/call.hpp"
#include "cbridge/errors.hpp"
#include "runtime/attributes.hpp"

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

// initial-exec: one word, read on every call.
CBRIDGE_TLS_INITIAL_EXEC thread_local uint32_t tlsCallDepth = 0;

}  // namespace

#if defined(__x86_64__)
extern "C" void cbridge_regcall(void* frame);
#endif

// Out of line: a task's thread-local address must not be cached across a
// switch (see runtime/tls.cpp); this runs on one thread from start to end.
CBRIDGE_NOIPA uint32_t foreignCallDepth() { return tlsCallDepth; }


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
  planRegisters(sig);
}

// Win64 classifies by position: its plan is prepared_call_win64.cpp's.
#if !defined(_WIN32)
void PreparedCall::planRegisters(const CSignature& sig) {
#if defined(__x86_64__)
  auto simple = [](Kind k) { return k != Kind::Struct && k != Kind::LongDouble; };
  if (!simple(sig.ret.kind)) return;
  uint8_t ngpr = 0, nsse = 0;
  auto add = [&](const CType& t) {
    if (!simple(t.kind)) return false;
    bool sse = t.kind == Kind::Float || t.kind == Kind::Double;
    uint8_t& n = sse ? nsse : ngpr;
    if (n == (sse ? 8 : 6)) return false;  // the next one would go on the stack
    plan_.push_back({t.kind, n++});
    return true;
  };
  for (const CType& p : sig.params)
    if (!add(p)) return plan_.clear();
  for (const CType& v : sig.varargs)
    if (!add(v)) return plan_.clear();
  nsse_ = nsse;
  regs_ = true;
#else
  (void)sig;
#endif
}
#endif

void PreparedCall::callRegisters(void* fn, void* ret, void* const* args) const {
#if defined(__x86_64__)
  RegFrame f;
#if defined(_WIN32)
  // Win64: one slot per position, whatever the type (see
  // prepared_call_win64.cpp).
  uint64_t* sse = f.gpr;
#else
  uint64_t* sse = f.sse;
#endif
  size_t n = plan_.size();
  for (size_t i = 0; i < n; i++) {
    const void* a = args[i];
    uint8_t slot = plan_[i].slot;
    // Integers narrower than a register are extended to 64 bits, beyond
    // what the ABI asks (32): clang's callees rely on the 32.
    switch (plan_[i].kind) {
      case Kind::SChar: f.gpr[slot] = uint64_t(int64_t(*static_cast<const signed char*>(a))); break;
      case Kind::UChar:
      case Kind::Bool: f.gpr[slot] = *static_cast<const unsigned char*>(a); break;
      case Kind::SShort: f.gpr[slot] = uint64_t(int64_t(*static_cast<const short*>(a))); break;
      case Kind::UShort: f.gpr[slot] = *static_cast<const unsigned short*>(a); break;
      case Kind::SInt: f.gpr[slot] = uint64_t(int64_t(*static_cast<const int*>(a))); break;
      case Kind::UInt: f.gpr[slot] = *static_cast<const unsigned*>(a); break;
      case Kind::Float: {
        uint32_t bits;
        std::memcpy(&bits, a, 4);
        sse[slot] = bits;
        break;
      }
      case Kind::Double: std::memcpy(&sse[slot], a, 8); break;
      default: std::memcpy(&f.gpr[slot], a, 8); break;  // long, long long, pointers
    }
  }
  f.nsse = nsse_;
  f.fn = fn;
  // Copied now: after the call this PreparedCall may be gone (see the top).
  Kind rk = retKind_;
  size_t rs = retSize_;
  detail::cgocall(cbridge_regcall, &f);
  if (ret == nullptr || rk == Kind::Void) return;
  // Little-endian: a narrow integer is in the low bytes of rax, a float in
  // the low 4 bytes of xmm0.
  if (rk == Kind::Float || rk == Kind::Double)
    std::memcpy(ret, &f.xmm0, rs);
  else
    std::memcpy(ret, &f.rax, rs);
#else
  CallArgs c{this, fn, ret, args};  // not reached: regs_ is x86-64's
  detail::cgocall(callOnSystemStack, &c);
#endif
}

void PreparedCall::callFfi(void* fn, void* ret, void* const* args) const {
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
  ffi_call(const_cast<ffi_cif*>(&cif_), FFI_FN(fn), into, const_cast<void**>(args));
  // Little-endian: the value is in the low bytes of the ffi_arg.
  if (retNarrow_ && ret != nullptr) std::memcpy(ret, &wide, retSize_);
}

// callOnSystemStack is the foreign part of every prepared call (on g0 for
// a task, on the calling thread outside tasks).
CBRIDGE_NOIPA void callOnSystemStack(void* p) {
  auto* c = static_cast<CallArgs*>(p);
  tlsCallDepth++;
  c->pc->callFfi(c->fn, c->ret, c->args);
  tlsCallDepth--;
}

}  // namespace cbridge::bridge
