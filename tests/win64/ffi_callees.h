// SPDX-License-Identifier: MIT
// The C side of tests/win64/ffi_conformance: functions of the signatures
// whose calls the two ABIs make differently, and for each a caller that
// calls a function pointer of that signature from compiled C (a closure,
// in the test) with the same arguments the test passes through ffi_call.
// The arguments are macros here so that the two agree by construction.
#ifndef CBRIDGE_TESTS_WIN64_FFI_CALLEES_H
#define CBRIDGE_TESTS_WIN64_FFI_CALLEES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct { int8_t a; } S1;
typedef struct { int8_t a, b; } S2;
typedef struct { int8_t a, b, c; } S3;
typedef struct { int16_t a; int8_t b, c; } S4;
typedef struct { float f; } S4F;
typedef struct { int32_t a; float b; } S8;
typedef struct { float a, b, c; } S12;
typedef struct { double a; int64_t b; } S16;
typedef struct { int64_t a; double b; int32_t c; } S24;

// Each function's arguments, as the test passes them.
#define ARGS_s8 -100, 20
#define ARGS_u8 200, 100
#define ARGS_s16 -20000, 12345
#define ARGS_u16 60000, 7000
#define ARGS_s32 -2000000000, 7
#define ARGS_u32 4000000000u, 300000000u
#define ARGS_s64 -9000000000000000000ll, 123456789
#define ARGS_u64 18000000000000000000ull, 99
#define ARGS_long -123456, 1000
#define ARGS_float 1.5f, -0.25f
#define ARGS_double 3.25, 1e100
#define ARGS_mix 7, 2.5, -3, 0.75f
#define ARGS_fmix 0.5f, 3, 1.25f, -4, 8.0f
#define ARGS_many \
  1, 2.5, 3.5f, 4000000000ll, 5.5f, 6.25, -7, 65535, 9.5f, 10.125, 11, (S3)S3_A, (S16)S16_A
#define ARGS_manyint -1, 255, -300, 65000, -70000, 4000000000u, -5000000000ll, 6000000000ull
#define ARGS_ptr g_ints, 5
#define ARGS_ld 1.5L, 3, 0.25L
#define ARGS_void g_ints + 1, 4
#define ARGS_fmt g_text, "%.3f %d %s %lld %.2f", 2.5, -17, "mid", -5000000000ll, 0.125
#define S1_A {-5}
#define S1_B {3}
#define S2_A {1, -2}
#define S2_B {10, 20}
#define S3_A {1, 2, 3}
#define S3_B {-10, 20, -30}
#define S4_A {-1000, 5, 6}
#define S4_B {100, -1, 2}
#define S4F_A {1.5f}
#define S4F_B {-0.25f}
#define S8_A {-7, 2.5f}
#define S8_B {3, 0.25f}
#define S12_A {1.0f, 2.0f, 3.0f}
#define S12_B {0.5f, -0.5f, 8.0f}
#define S16_A {1.25, -1000000000000ll}
#define S16_B {2.0, 3}
#define S24_A {4000000000ll, -2.5, 9}
#define S24_B {-1, 0.5, -4}
#define ARGS_STRUCT(S) 3, (S)S##_A, (S)S##_B

extern int32_t g_ints[4];  // what ARGS_ptr and ARGS_void point into
extern char g_text[128];   // what ARGS_fmt writes

int8_t f_s8(int8_t a, int8_t b);
uint8_t f_u8(uint8_t a, uint8_t b);
int16_t f_s16(int16_t a, int16_t b);
uint16_t f_u16(uint16_t a, uint16_t b);
int32_t f_s32(int32_t a, int32_t b);
uint32_t f_u32(uint32_t a, uint32_t b);
int64_t f_s64(int64_t a, int64_t b);
uint64_t f_u64(uint64_t a, uint64_t b);
long f_long(long a, long b);
float f_float(float a, float b);
double f_double(double a, double b);
double f_mix(int32_t a, double b, int32_t c, float d);
float f_fmix(float a, int32_t b, float c, int32_t d, float e);
double f_many(int32_t a, double b, float c, int64_t d, float e, double f, int8_t g, uint16_t h,
              float i, double j, int32_t k, S3 l, S16 m);
int64_t f_manyint(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g,
                  uint64_t h);
int32_t* f_ptr(int32_t* p, int32_t v);
long double f_ld(long double a, int32_t b, long double c);
void f_void(int32_t* p, int32_t v);
int32_t f_fmt(char* buf, const char* fmt, ...);
S1 f_S1(int32_t k, S1 a, S1 b);
S2 f_S2(int32_t k, S2 a, S2 b);
S3 f_S3(int32_t k, S3 a, S3 b);
S4 f_S4(int32_t k, S4 a, S4 b);
S4F f_S4F(int32_t k, S4F a, S4F b);
S8 f_S8(int32_t k, S8 a, S8 b);
S12 f_S12(int32_t k, S12 a, S12 b);
S16 f_S16(int32_t k, S16 a, S16 b);
S24 f_S24(int32_t k, S24 a, S24 b);

// call_NAME calls fp, of f_NAME's type, with ARGS_NAME, and stores what
// it returns at out (nothing, for f_void).
void call_s8(void* fp, void* out);
void call_u8(void* fp, void* out);
void call_s16(void* fp, void* out);
void call_u16(void* fp, void* out);
void call_s32(void* fp, void* out);
void call_u32(void* fp, void* out);
void call_s64(void* fp, void* out);
void call_u64(void* fp, void* out);
void call_long(void* fp, void* out);
void call_float(void* fp, void* out);
void call_double(void* fp, void* out);
void call_mix(void* fp, void* out);
void call_fmix(void* fp, void* out);
void call_many(void* fp, void* out);
void call_manyint(void* fp, void* out);
void call_ptr(void* fp, void* out);
void call_ld(void* fp, void* out);
void call_void(void* fp, void* out);
void call_fmt(void* fp, void* out);
void call_S1(void* fp, void* out);
void call_S2(void* fp, void* out);
void call_S3(void* fp, void* out);
void call_S4(void* fp, void* out);
void call_S4F(void* fp, void* out);
void call_S8(void* fp, void* out);
void call_S12(void* fp, void* out);
void call_S16(void* fp, void* out);
void call_S24(void* fp, void* out);

#ifdef __cplusplus
}
#endif

#endif
