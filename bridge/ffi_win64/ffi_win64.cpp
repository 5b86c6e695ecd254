// SPDX-License-Identifier: MIT
// The C++ half of the Win64 libffi (see ffi.h for the ABI): what libffi's
// prep_cif, call and closure code decide, done once per signature where
// libffi does it, and the machine-level half in
// bridge/ffi_call_amd64_win64.S. Closures live in pages that are writable
// and executable at once, so a closure's writable and executable
// addresses are one, carved into fixed slots that are reused and never
// given back.
#include <malloc.h>
#include <windows.h>

#include <cstdint>
#include <cstring>
#include <mutex>

#include "ffi.h"

extern "C" {
void cbridge_ffi_call_win64(const uint64_t* slots, size_t nslots, void* fn, uint64_t ret[2]);
void cbridge_ffi_closure_win64();
void cbridge_ffi_closure_dispatch(ffi_closure* c, uint64_t* slots, uint64_t* xmm, uint64_t* ret);
}

#define FFI_SCALAR(name, t, code)                                          \
  ffi_type ffi_type_##name = {sizeof(t), alignof(t), code, nullptr};
FFI_SCALAR(uint8, uint8_t, FFI_TYPE_UINT8)
FFI_SCALAR(sint8, int8_t, FFI_TYPE_SINT8)
FFI_SCALAR(uint16, uint16_t, FFI_TYPE_UINT16)
FFI_SCALAR(sint16, int16_t, FFI_TYPE_SINT16)
FFI_SCALAR(uint32, uint32_t, FFI_TYPE_UINT32)
FFI_SCALAR(sint32, int32_t, FFI_TYPE_SINT32)
FFI_SCALAR(uint64, uint64_t, FFI_TYPE_UINT64)
FFI_SCALAR(sint64, int64_t, FFI_TYPE_SINT64)
FFI_SCALAR(float, float, FFI_TYPE_FLOAT)
FFI_SCALAR(double, double, FFI_TYPE_DOUBLE)
FFI_SCALAR(longdouble, long double, FFI_TYPE_LONGDOUBLE)
FFI_SCALAR(pointer, void*, FFI_TYPE_POINTER)
#undef FFI_SCALAR
ffi_type ffi_type_void = {1, 1, FFI_TYPE_VOID, nullptr};

namespace {

// Ret is how a result comes back: cif->flags.
enum Ret : unsigned {
  kRetVoid,
  kRetInt,     // in rax: a scalar integer, pointer or small aggregate
  kRetFloat,   // in xmm0
  kRetDouble,  // in xmm0
  kRetMemory,  // through the hidden pointer, which is also returned in rax
};

// Aggregates of these sizes travel in a register or slot; others by
// reference, as long double does.
bool inSlot(const ffi_type* t) {
  if (t->type == FFI_TYPE_LONGDOUBLE) return false;
  if (t->type != FFI_TYPE_STRUCT) return true;
  return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8;
}

size_t alignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

// layout gives a struct its size and alignment from its fields (C's
// rules), as libffi's prep_cif does; a scalar has them already.
ffi_status layout(ffi_type* t) {
  if (t == nullptr) return FFI_BAD_TYPEDEF;
  if (t->type != FFI_TYPE_STRUCT)
    return t->size == 0 && t->type != FFI_TYPE_VOID ? FFI_BAD_TYPEDEF : FFI_OK;
  if (t->elements == nullptr || t->elements[0] == nullptr) return FFI_BAD_TYPEDEF;
  size_t size = 0, align = 1;
  for (ffi_type** e = t->elements; *e != nullptr; e++) {
    if ((*e)->type == FFI_TYPE_VOID) return FFI_BAD_TYPEDEF;
    if (ffi_status st = layout(*e); st != FFI_OK) return st;
    size = alignUp(size, (*e)->alignment) + (*e)->size;
    if ((*e)->alignment > align) align = (*e)->alignment;
  }
  t->size = alignUp(size, align);
  t->alignment = static_cast<unsigned short>(align);
  return FFI_OK;
}

Ret retKind(const ffi_type* t) {
  switch (t->type) {
    case FFI_TYPE_VOID: return kRetVoid;
    case FFI_TYPE_FLOAT: return kRetFloat;
    case FFI_TYPE_DOUBLE: return kRetDouble;
    default: return inSlot(t) ? kRetInt : kRetMemory;
  }
}

// widen stores an integer result of type t, held in the low bytes of raw,
// as libffi does: an ffi_arg, sign- or zero-extended, when narrower.
void widen(const ffi_type* t, uint64_t raw, void* into) {
  ffi_arg v;
  switch (t->type) {
    case FFI_TYPE_UINT8: v = static_cast<uint8_t>(raw); break;
    case FFI_TYPE_SINT8: v = static_cast<ffi_arg>(static_cast<int8_t>(raw)); break;
    case FFI_TYPE_UINT16: v = static_cast<uint16_t>(raw); break;
    case FFI_TYPE_SINT16: v = static_cast<ffi_arg>(static_cast<int16_t>(raw)); break;
    case FFI_TYPE_UINT32: v = static_cast<uint32_t>(raw); break;
    case FFI_TYPE_SINT32: v = static_cast<ffi_arg>(static_cast<int32_t>(raw)); break;
    default: std::memcpy(into, &raw, t->size); return;  // 64-bit, pointer, small struct
  }
  std::memcpy(into, &v, sizeof v);
}

ffi_status prep(ffi_cif* cif, ffi_abi abi, unsigned nargs, ffi_type* rtype, ffi_type** atypes) {
  if (abi != FFI_WIN64) return FFI_BAD_ABI;
  if (ffi_status st = layout(rtype); st != FFI_OK) return st;
  size_t copies = 0;
  for (unsigned i = 0; i < nargs; i++) {
    if (ffi_status st = layout(atypes[i]); st != FFI_OK) return st;
    if (atypes[i]->type == FFI_TYPE_VOID) return FFI_BAD_TYPEDEF;
    if (!inSlot(atypes[i])) copies = alignUp(copies, 16) + atypes[i]->size;
  }
  cif->abi = abi;
  cif->nargs = nargs;
  cif->arg_types = atypes;
  cif->rtype = rtype;
  cif->bytes = static_cast<unsigned>(alignUp(copies, 16));
  cif->flags = retKind(rtype);
  return FFI_OK;
}

// The closure pool: pages of kSlot-byte slots, free ones in a list.
constexpr size_t kSlot = 128;
constexpr size_t kPage = 64 * 1024;  // VirtualAlloc's granularity

struct FreeSlot {
  FreeSlot* next;
};

std::mutex poolLock;
FreeSlot* freeSlots = nullptr;

}  // namespace

extern "C" {

ffi_status ffi_prep_cif(ffi_cif* cif, ffi_abi abi, unsigned nargs, ffi_type* rtype,
                        ffi_type** atypes) {
  return prep(cif, abi, nargs, rtype, atypes);
}

ffi_status ffi_prep_cif_var(ffi_cif* cif, ffi_abi abi, unsigned nfixedargs, unsigned ntotalargs,
                            ffi_type* rtype, ffi_type** atypes) {
  if (ffi_status st = prep(cif, abi, ntotalargs, rtype, atypes); st != FFI_OK) return st;
  for (unsigned i = nfixedargs; i < ntotalargs; i++) {
    const ffi_type* t = atypes[i];
    if (t->type == FFI_TYPE_FLOAT || (t->type != FFI_TYPE_STRUCT && t->size < sizeof(int)))
      return FFI_BAD_ARGTYPE;
  }
  return FFI_OK;
}

void ffi_call(ffi_cif* cif, void (*fn)(void), void* rvalue, void** avalue) {
  const bool memory = cif->flags == kRetMemory;
  const size_t first = memory ? 1 : 0;
  const size_t nslots = first + cif->nargs < 4 ? 4 : first + cif->nargs;
  auto* slots = static_cast<uint64_t*>(_alloca(nslots * sizeof(uint64_t)));
  std::memset(slots, 0, nslots * sizeof(uint64_t));
  auto* copies = static_cast<char*>(_alloca(cif->bytes + 16));
  copies = reinterpret_cast<char*>(alignUp(reinterpret_cast<uintptr_t>(copies), 16));
  void* result = rvalue;
  if (memory) {
    if (result == nullptr) result = _alloca(cif->rtype->size);
    slots[0] = reinterpret_cast<uintptr_t>(result);
  }
  for (unsigned i = 0; i < cif->nargs; i++) {
    const ffi_type* t = cif->arg_types[i];
    uint64_t& slot = slots[first + i];
    if (!inSlot(t)) {
      std::memcpy(copies, avalue[i], t->size);
      slot = reinterpret_cast<uintptr_t>(copies);
      copies += alignUp(t->size, 16);
      continue;
    }
    switch (t->type) {  // integers go widened, as a C caller would pass them
      case FFI_TYPE_SINT8: slot = static_cast<uint64_t>(*static_cast<int8_t*>(avalue[i])); break;
      case FFI_TYPE_SINT16: slot = static_cast<uint64_t>(*static_cast<int16_t*>(avalue[i])); break;
      case FFI_TYPE_SINT32: slot = static_cast<uint64_t>(*static_cast<int32_t*>(avalue[i])); break;
      default: std::memcpy(&slot, avalue[i], t->size);
    }
  }
  uint64_t ret[2];
  cbridge_ffi_call_win64(slots, nslots, reinterpret_cast<void*>(fn), ret);
  if (rvalue == nullptr) return;
  switch (cif->flags) {
    case kRetInt: widen(cif->rtype, ret[0], rvalue); break;
    case kRetFloat: std::memcpy(rvalue, &ret[1], sizeof(float)); break;
    case kRetDouble: std::memcpy(rvalue, &ret[1], sizeof(double)); break;
    default: break;  // void, or written through the hidden pointer
  }
}

// The closure's trampoline, at its code address:
//   movabs $closure, %r10
//   movabs $cbridge_ffi_closure_win64, %r11
//   jmp *%r11
ffi_status ffi_prep_closure_loc(ffi_closure* closure, ffi_cif* cif,
                                void (*fun)(ffi_cif*, void*, void**, void*), void* user_data,
                                void* codeloc) {
  if (cif->abi != FFI_WIN64) return FFI_BAD_ABI;
  unsigned char code[23] = {0x49, 0xba, 0, 0, 0, 0, 0, 0, 0, 0,  // movabs imm64, %r10
                            0x49, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0,  // movabs imm64, %r11
                            0x41, 0xff, 0xe3};                   // jmp *%r11
  uint64_t self = reinterpret_cast<uintptr_t>(closure);
  uint64_t entry = reinterpret_cast<uintptr_t>(&cbridge_ffi_closure_win64);
  std::memcpy(code + 2, &self, 8);
  std::memcpy(code + 12, &entry, 8);
  std::memcpy(closure->tramp, code, sizeof code);
  closure->cif = cif;
  closure->fun = fun;
  closure->user_data = user_data;
  FlushInstructionCache(GetCurrentProcess(), codeloc, sizeof code);
  return FFI_OK;
}

void* ffi_closure_alloc(size_t size, void** code) {
  if (size > kSlot) return nullptr;
  std::lock_guard<std::mutex> g(poolLock);
  if (freeSlots == nullptr) {
    auto* page = static_cast<char*>(
        VirtualAlloc(nullptr, kPage, MEM_RESERVE | MEM_COMMIT, PAGE_EXECUTE_READWRITE));
    if (page == nullptr) return nullptr;
    for (size_t off = kPage; off >= kSlot; off -= kSlot) {
      auto* s = reinterpret_cast<FreeSlot*>(page + off - kSlot);
      s->next = freeSlots;
      freeSlots = s;
    }
  }
  FreeSlot* s = freeSlots;
  freeSlots = s->next;
  *code = s;
  return s;
}

void ffi_closure_free(void* closure) {
  if (closure == nullptr) return;
  std::lock_guard<std::mutex> g(poolLock);
  auto* s = static_cast<FreeSlot*>(closure);
  s->next = freeSlots;
  freeSlots = s;
}

// The C++ end of cbridge_ffi_closure_win64: slots holds every argument's
// slot (rcx..r9 spilled, then the stack's), xmm the first four in xmm0-3.
void cbridge_ffi_closure_dispatch(ffi_closure* c, uint64_t* slots, uint64_t* xmm, uint64_t* ret) {
  ffi_cif* cif = c->cif;
  const size_t first = cif->flags == kRetMemory ? 1 : 0;
  auto** avalue = static_cast<void**>(_alloca(cif->nargs * sizeof(void*)));
  for (unsigned i = 0; i < cif->nargs; i++) {
    const ffi_type* t = cif->arg_types[i];
    size_t s = first + i;
    if (!inSlot(t))
      avalue[i] = reinterpret_cast<void*>(slots[s]);
    else if ((t->type == FFI_TYPE_FLOAT || t->type == FFI_TYPE_DOUBLE) && s < 4)
      avalue[i] = &xmm[s];
    else
      avalue[i] = &slots[s];
  }
  if (first) {
    void* hidden = reinterpret_cast<void*>(slots[0]);
    c->fun(cif, hidden, avalue, c->user_data);
    *ret = slots[0];
    return;
  }
  // The function writes an ffi_arg, a float, a double or a small struct;
  // its first 8 bytes go back in rax and xmm0.
  alignas(16) unsigned char result[16] = {};
  c->fun(cif, result, avalue, c->user_data);
  std::memcpy(ret, result, sizeof *ret);
}

}  // extern "C"
