// SPDX-License-Identifier: MIT
// libffi's API held to one behaviour on two ABIs: built on Linux against
// the real libffi (SysV) and with mingw-w64 against bridge/ffi_win64 (the
// Win64 libffi cbridge writes itself), this prints one line per signature
// and path, and scripts/run-tests diffs the two outputs. Each signature
// in ffi_callees.h is called twice: through ffi_call, and from compiled C
// through a closure (whose function forwards its arguments to the same C
// function with ffi_call), so a closure that reads an argument from the
// wrong place shows as a different line. Values are printed by fixed
// width (a long's 32 or 64 bits never shows: its values fit in 32), a
// pointer relative to the array it points into.
#include <ffi.h>

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>

#include "ffi_callees.h"

namespace {

// --- ffi_type of each C type the signatures use

template <class S>
struct StructType;

#define STRUCT_TYPE(S, ...)                                    \
  template <>                                                  \
  struct StructType<S> {                                       \
    static ffi_type* get() {                                   \
      static ffi_type* elems[] = {__VA_ARGS__, nullptr};       \
      static ffi_type t = {0, 0, FFI_TYPE_STRUCT, elems};      \
      return &t;                                               \
    }                                                          \
  };
STRUCT_TYPE(S1, &ffi_type_sint8)
STRUCT_TYPE(S2, &ffi_type_sint8, &ffi_type_sint8)
STRUCT_TYPE(S3, &ffi_type_sint8, &ffi_type_sint8, &ffi_type_sint8)
STRUCT_TYPE(S4, &ffi_type_sint16, &ffi_type_sint8, &ffi_type_sint8)
STRUCT_TYPE(S4F, &ffi_type_float)
STRUCT_TYPE(S8, &ffi_type_sint32, &ffi_type_float)
STRUCT_TYPE(S12, &ffi_type_float, &ffi_type_float, &ffi_type_float)
STRUCT_TYPE(S16, &ffi_type_double, &ffi_type_sint64)
STRUCT_TYPE(S24, &ffi_type_sint64, &ffi_type_double, &ffi_type_sint32)
#undef STRUCT_TYPE

template <class T>
ffi_type* typeOf() {
  if constexpr (std::is_void_v<T>) {
    return &ffi_type_void;
  } else if constexpr (std::is_pointer_v<T>) {
    return &ffi_type_pointer;
  } else if constexpr (std::is_same_v<T, long>) {
    return &ffi_type_slong;  // 32 bits on Win64, 64 on Linux: as cbridge maps it
  } else if constexpr (std::is_integral_v<T>) {
    constexpr bool s = std::is_signed_v<T>;
    switch (sizeof(T)) {
      case 1: return s ? &ffi_type_sint8 : &ffi_type_uint8;
      case 2: return s ? &ffi_type_sint16 : &ffi_type_uint16;
      case 4: return s ? &ffi_type_sint32 : &ffi_type_uint32;
      default: return s ? &ffi_type_sint64 : &ffi_type_uint64;
    }
  } else if constexpr (std::is_same_v<T, float>) {
    return &ffi_type_float;
  } else if constexpr (std::is_same_v<T, double>) {
    return &ffi_type_double;
  } else if constexpr (std::is_same_v<T, long double>) {
    return &ffi_type_longdouble;
  } else {
    return StructType<T>::get();
  }
}

// --- printing a value of each type

std::string show(int8_t v) { return std::to_string(v); }
std::string show(uint8_t v) { return std::to_string(v); }
std::string show(int16_t v) { return std::to_string(v); }
std::string show(uint16_t v) { return std::to_string(v); }
std::string show(int32_t v) { return std::to_string(v); }
std::string show(uint32_t v) { return std::to_string(v); }
std::string show(long v) { return std::to_string(static_cast<long long>(v)); }
std::string show(long long v) { return std::to_string(v); }
std::string show(unsigned long long v) { return std::to_string(v); }
// uint64_t on Linux.
[[maybe_unused]] std::string show(unsigned long v) {
  return std::to_string(static_cast<unsigned long long>(v));
}

std::string format(const char* fmt, ...) __attribute__((format(gnu_printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

std::string show(float v) { return format("%.9g", static_cast<double>(v)); }
std::string show(double v) { return format("%.17g", v); }
std::string show(long double v) { return format("%.21Lg", v); }
std::string show(int32_t* p) { return format("g_ints+%d", static_cast<int>(p - g_ints)); }
std::string show(const S1& s) { return "{" + show(s.a) + "}"; }
std::string show(const S2& s) { return "{" + show(s.a) + " " + show(s.b) + "}"; }
std::string show(const S3& s) { return "{" + show(s.a) + " " + show(s.b) + " " + show(s.c) + "}"; }
std::string show(const S4& s) { return "{" + show(s.a) + " " + show(s.b) + " " + show(s.c) + "}"; }
std::string show(const S4F& s) { return "{" + show(s.f) + "}"; }
std::string show(const S8& s) { return "{" + show(s.a) + " " + show(s.b) + "}"; }
std::string show(const S12& s) { return "{" + show(s.a) + " " + show(s.b) + " " + show(s.c) + "}"; }
std::string show(const S16& s) { return "{" + show(s.a) + " " + show(s.b) + "}"; }
std::string show(const S24& s) { return "{" + show(s.a) + " " + show(s.b) + " " + show(s.c) + "}"; }

// The state the pointer-taking functions change, reset before each call
// and shown after it when changed.
void resetState() {
  const int32_t start[4] = {10, 20, 30, 40};
  std::memcpy(g_ints, start, sizeof start);
  std::memset(g_text, 0, sizeof g_text);
}

std::string state() {
  std::string s;
  if (g_ints[0] != 10 || g_ints[1] != 20 || g_ints[2] != 30 || g_ints[3] != 40)
    s = format(" | g_ints %d %d %d %d", g_ints[0], g_ints[1], g_ints[2], g_ints[3]);
  if (g_text[0] != 0) s += std::string(" | g_text \"") + g_text + "\"";
  return s;
}

// --- the two paths

// A closure's function: the same call, on to the C function (user_data).
void forward(ffi_cif* cif, void* ret, void** args, void* fn) {
  ffi_call(cif, FFI_FN(fn), ret, args);
}

int failures = 0;

// run calls fn(args...) through ffi_call, then call(closure over fn),
// which calls it from C with the same arguments, and prints both results.
// nfixed > 0 makes the signature variadic after nfixed arguments.
template <class R, class... A>
void run(const char* name, R (*fn)(A...), void (*call)(void*, void*), std::tuple<A...> args,
         unsigned nfixed = 0) {
  ffi_type* atypes[] = {typeOf<A>()..., nullptr};
  ffi_cif cif;
  ffi_status st = nfixed ? ffi_prep_cif_var(&cif, FFI_DEFAULT_ABI, nfixed, sizeof...(A),
                                            typeOf<R>(), atypes)
                         : ffi_prep_cif(&cif, FFI_DEFAULT_ABI, sizeof...(A), typeOf<R>(), atypes);
  if (st != FFI_OK) {
    std::printf("%s: prep_cif failed: %d\n", name, st);
    failures++;
    return;
  }

  // ffi_call: an integer narrower than ffi_arg comes back widened in one,
  // printed whole.
  void* avalue[sizeof...(A) + 1];
  std::apply([&](auto&... a) {
    size_t i = 0;
    ((avalue[i++] = &a), ...);
  }, args);
  resetState();
  alignas(16) unsigned char rbuf[32] = {};
  ffi_call(&cif, FFI_FN(fn), rbuf, avalue);
  std::string viaCall;
  if constexpr (std::is_void_v<R>) {
    viaCall = "void";
  } else if constexpr (std::is_integral_v<R> && sizeof(R) < sizeof(ffi_arg)) {
    ffi_arg wide;
    std::memcpy(&wide, rbuf, sizeof wide);
    viaCall = std::is_signed_v<R> ? show(static_cast<long long>(static_cast<ffi_sarg>(wide)))
                                  : show(static_cast<unsigned long long>(wide));
  } else {
    R r;
    std::memcpy(static_cast<void*>(&r), rbuf, sizeof r);
    viaCall = show(r);
  }
  std::printf("%-8s ffi_call -> %s%s\n", name, viaCall.c_str(), state().c_str());

  // A closure, called from C.
  void* code = nullptr;
  auto* closure = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code));
  if (closure == nullptr ||
      ffi_prep_closure_loc(closure, &cif, forward, reinterpret_cast<void*>(fn), code) != FFI_OK) {
    std::printf("%s: no closure\n", name);
    failures++;
    return;
  }
  resetState();
  alignas(16) unsigned char cbuf[32] = {};
  call(code, cbuf);
  std::string viaClosure = "void";
  if constexpr (!std::is_void_v<R>) {
    R r;
    std::memcpy(static_cast<void*>(&r), cbuf, sizeof r);
    viaClosure = show(r);
  }
  std::printf("%-8s closure  -> %s%s\n", name, viaClosure.c_str(), state().c_str());
  ffi_closure_free(closure);
}

template <class S>
void runStruct(const char* name, S (*fn)(int32_t, S, S), void (*call)(void*, void*), S a, S b) {
  ffi_type* t = StructType<S>::get();
  run(name, fn, call, std::tuple<int32_t, S, S>{3, a, b});
  std::printf("%-8s size %zu, alignment %u\n", name, t->size, unsigned(t->alignment));
}

// addUserData is the function of many closures of int32_t(int32_t), each
// adding its own user data to the argument.
void addUserData(ffi_cif*, void* ret, void** args, void* userData) {
  auto add = static_cast<int32_t>(reinterpret_cast<intptr_t>(userData));
  ffi_sarg r = *static_cast<int32_t*>(args[0]) + add;
  std::memcpy(ret, &r, sizeof r);
}

// manyClosures makes more closures at once than one page of executable
// memory holds, calls each, frees them, and makes them again (the freed
// ones reused): every one must still be its own.
void manyClosures() {
  constexpr int kN = 1500;
  static ffi_closure* closures[kN];
  static void* code[kN];
  ffi_type* args[] = {&ffi_type_sint32};
  ffi_cif cif;
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_sint32, args) != FFI_OK) failures++;
  long long sum = 0;
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < kN; i++) {
      closures[i] = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code[i]));
      if (closures[i] == nullptr ||
          ffi_prep_closure_loc(closures[i], &cif, addUserData,
                               reinterpret_cast<void*>(intptr_t(i * (round + 1))),
                               code[i]) != FFI_OK) {
        std::printf("closure %d: none\n", i);
        failures++;
        return;
      }
    }
    for (int i = 0; i < kN; i++) sum += reinterpret_cast<int32_t (*)(int32_t)>(code[i])(1000);
    for (int i = 0; i < kN; i++) ffi_closure_free(closures[i]);
  }
  std::printf("%d closures twice, each called: sum %lld\n", kN, sum);
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  run("s8", f_s8, call_s8, std::tuple<int8_t, int8_t>{ARGS_s8});
  run("u8", f_u8, call_u8, std::tuple<uint8_t, uint8_t>{ARGS_u8});
  run("s16", f_s16, call_s16, std::tuple<int16_t, int16_t>{ARGS_s16});
  run("u16", f_u16, call_u16, std::tuple<uint16_t, uint16_t>{ARGS_u16});
  run("s32", f_s32, call_s32, std::tuple<int32_t, int32_t>{ARGS_s32});
  run("u32", f_u32, call_u32, std::tuple<uint32_t, uint32_t>{ARGS_u32});
  run("s64", f_s64, call_s64, std::tuple<int64_t, int64_t>{ARGS_s64});
  run("u64", f_u64, call_u64, std::tuple<uint64_t, uint64_t>{ARGS_u64});
  run("long", f_long, call_long, std::tuple<long, long>{ARGS_long});
  run("float", f_float, call_float, std::tuple<float, float>{ARGS_float});
  run("double", f_double, call_double, std::tuple<double, double>{ARGS_double});
  run("mix", f_mix, call_mix, std::tuple<int32_t, double, int32_t, float>{ARGS_mix});
  run("fmix", f_fmix, call_fmix, std::tuple<float, int32_t, float, int32_t, float>{ARGS_fmix});
  run("many", f_many, call_many,
      std::tuple<int32_t, double, float, int64_t, float, double, int8_t, uint16_t, float, double,
                 int32_t, S3, S16>{ARGS_many});
  run("manyint", f_manyint, call_manyint,
      std::tuple<int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t>{
          ARGS_manyint});
  run("ptr", f_ptr, call_ptr, std::tuple<int32_t*, int32_t>{ARGS_ptr});
  run("ld", f_ld, call_ld, std::tuple<long double, int32_t, long double>{ARGS_ld});
  run("void", f_void, call_void, std::tuple<int32_t*, int32_t>{ARGS_void});
  // Variadic: two fixed arguments, then promoted ones (a double among
  // the first four, which a Win64 caller passes in both r8 and xmm2).
  using Fmt = int32_t (*)(char*, const char*, double, int32_t, const char*, long long, double);
  run("fmt", reinterpret_cast<Fmt>(f_fmt), call_fmt,
      std::tuple<char*, const char*, double, int32_t, const char*, long long, double>{ARGS_fmt},
      2);
  runStruct<S1>("S1", f_S1, call_S1, S1_A, S1_B);
  runStruct<S2>("S2", f_S2, call_S2, S2_A, S2_B);
  runStruct<S3>("S3", f_S3, call_S3, S3_A, S3_B);
  runStruct<S4>("S4", f_S4, call_S4, S4_A, S4_B);
  runStruct<S4F>("S4F", f_S4F, call_S4F, S4F_A, S4F_B);
  runStruct<S8>("S8", f_S8, call_S8, S8_A, S8_B);
  runStruct<S12>("S12", f_S12, call_S12, S12_A, S12_B);
  runStruct<S16>("S16", f_S16, call_S16, S16_A, S16_B);
  runStruct<S24>("S24", f_S24, call_S24, S24_A, S24_B);

  manyClosures();

  // What prep_cif refuses, and says so.
  ffi_cif cif;
  ffi_type* one[] = {&ffi_type_double, &ffi_type_float};
  ffi_type* none[] = {nullptr};
  ffi_type empty = {0, 0, FFI_TYPE_STRUCT, none};
  ffi_type* withEmpty[] = {&empty};
  std::printf("prep_cif, unknown ABI: %d\n",
              ffi_prep_cif(&cif, FFI_LAST_ABI, 1, &ffi_type_void, one));
  std::printf("prep_cif, a struct with no fields: %d\n",
              ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_void, withEmpty));
  std::printf("prep_cif_var, a float after the ...: %d\n",
              ffi_prep_cif_var(&cif, FFI_DEFAULT_ABI, 1, 2, &ffi_type_void, one));
  std::printf("long double: size %zu, alignment %u\n", ffi_type_longdouble.size,
              unsigned(ffi_type_longdouble.alignment));
  return failures ? 1 : 0;
}
