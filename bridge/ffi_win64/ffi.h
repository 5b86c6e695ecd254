// SPDX-License-Identifier: MIT
// A libffi for Win64 (x86-64, the Microsoft ABI as mingw-w64's GCC uses
// it), of the part of libffi's API cbridge uses: Debian has no mingw build
// of libffi. The names, types, constants and semantics are libffi's, so
// code written against <ffi.h> compiles against this header unchanged,
// and tests/win64/ffi_conformance holds the two to the same results.
//
// The ABI is small next to SysV's: each argument takes one 8-byte slot,
// the first four also travel in rcx, rdx, r8, r9 or (float, double)
// xmm0-xmm3 by position; aggregates of 1, 2, 4 or 8 bytes go by value in
// their slot, any other (and long double, x87's 80 bits in 16 bytes) as
// a pointer to a copy the caller makes; such a result comes back through
// a hidden pointer passed as the first argument, a smaller one in rax,
// float and double in xmm0. The callee may write the caller's 32 bytes of
// shadow space above its return address.
#ifndef CBRIDGE_FFI_WIN64_H
#define CBRIDGE_FFI_WIN64_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FFI_TYPE_VOID 0
#define FFI_TYPE_INT 1
#define FFI_TYPE_FLOAT 2
#define FFI_TYPE_DOUBLE 3
#define FFI_TYPE_LONGDOUBLE 4
#define FFI_TYPE_UINT8 5
#define FFI_TYPE_SINT8 6
#define FFI_TYPE_UINT16 7
#define FFI_TYPE_SINT16 8
#define FFI_TYPE_UINT32 9
#define FFI_TYPE_SINT32 10
#define FFI_TYPE_UINT64 11
#define FFI_TYPE_SINT64 12
#define FFI_TYPE_STRUCT 13
#define FFI_TYPE_POINTER 14

typedef struct _ffi_type {
  size_t size;
  unsigned short alignment;
  unsigned short type;
  struct _ffi_type** elements;  // a struct's fields, null-terminated
} ffi_type;

extern ffi_type ffi_type_void;
extern ffi_type ffi_type_uint8;
extern ffi_type ffi_type_sint8;
extern ffi_type ffi_type_uint16;
extern ffi_type ffi_type_sint16;
extern ffi_type ffi_type_uint32;
extern ffi_type ffi_type_sint32;
extern ffi_type ffi_type_uint64;
extern ffi_type ffi_type_sint64;
extern ffi_type ffi_type_float;
extern ffi_type ffi_type_double;
extern ffi_type ffi_type_longdouble;
extern ffi_type ffi_type_pointer;

// C's types by width, as libffi's header maps them: on Win64 int and long
// are both 32 bits.
#define ffi_type_uchar ffi_type_uint8
#define ffi_type_schar ffi_type_sint8
#define ffi_type_ushort ffi_type_uint16
#define ffi_type_sshort ffi_type_sint16
#define ffi_type_uint ffi_type_uint32
#define ffi_type_sint ffi_type_sint32
#if LONG_MAX == 2147483647
#define ffi_type_ulong ffi_type_uint32
#define ffi_type_slong ffi_type_sint32
#else
#define ffi_type_ulong ffi_type_uint64
#define ffi_type_slong ffi_type_sint64
#endif

typedef enum { FFI_OK = 0, FFI_BAD_TYPEDEF, FFI_BAD_ABI, FFI_BAD_ARGTYPE } ffi_status;

typedef enum ffi_abi {
  FFI_FIRST_ABI = 0,
  FFI_WIN64 = 1,
  FFI_LAST_ABI,
  FFI_DEFAULT_ABI = FFI_WIN64
} ffi_abi;

// A result narrower than this is widened to it (sign- or zero-extended),
// by ffi_call into its result and by a closure's function into its own.
typedef uint64_t ffi_arg;
typedef int64_t ffi_sarg;

typedef struct {
  ffi_abi abi;
  unsigned nargs;
  ffi_type** arg_types;
  ffi_type* rtype;
  unsigned bytes;  // the copies of by-reference arguments a call makes
  unsigned flags;  // how the result comes back (ffi_win64.cpp's Ret)
} ffi_cif;

ffi_status ffi_prep_cif(ffi_cif* cif, ffi_abi abi, unsigned nargs, ffi_type* rtype,
                        ffi_type** atypes);
// nfixedargs of ntotalargs are before the "...": the rest must be of
// promoted types (no float, no integer narrower than int).
ffi_status ffi_prep_cif_var(ffi_cif* cif, ffi_abi abi, unsigned nfixedargs, unsigned ntotalargs,
                            ffi_type* rtype, ffi_type** atypes);

#define FFI_FN(f) ((void (*)(void))(f))
// avalue[i] points at argument i; rvalue gets the result (an ffi_arg for
// an integer narrower than one).
void ffi_call(ffi_cif* cif, void (*fn)(void), void* rvalue, void** avalue);

// A closure is a function pointer (its code) that calls fun with the
// arguments it was called with, as ffi_call would pass them.
typedef struct {
  char tramp[32];
  ffi_cif* cif;
  void (*fun)(ffi_cif*, void*, void**, void*);
  void* user_data;
} ffi_closure;

// ffi_closure_alloc returns a writable closure of size bytes (at most 128)
// and sets *code to its executable address; null if there is no memory.
void* ffi_closure_alloc(size_t size, void** code);
void ffi_closure_free(void* closure);
ffi_status ffi_prep_closure_loc(ffi_closure* closure, ffi_cif* cif,
                                void (*fun)(ffi_cif*, void*, void**, void*), void* user_data,
                                void* codeloc);

#ifdef __cplusplus
}
#endif

#endif
