// SPDX-License-Identifier: MIT
// The C side of tests/win64/ffi_conformance (see ffi_callees.h): each
// function mixes all of its arguments into its result, weighted by
// position, so an argument read from the wrong place shows.
#include "ffi_callees.h"

#include <stdarg.h>
#include <stdio.h>

int32_t g_ints[4];
char g_text[128];

int8_t f_s8(int8_t a, int8_t b) { return (int8_t)(a - b); }
uint8_t f_u8(uint8_t a, uint8_t b) { return (uint8_t)(a + b); }
int16_t f_s16(int16_t a, int16_t b) { return (int16_t)(a - b); }
uint16_t f_u16(uint16_t a, uint16_t b) { return (uint16_t)(a + b); }
int32_t f_s32(int32_t a, int32_t b) { return a - b; }
uint32_t f_u32(uint32_t a, uint32_t b) { return a + b; }
int64_t f_s64(int64_t a, int64_t b) { return a - b; }
uint64_t f_u64(uint64_t a, uint64_t b) { return a + b; }
long f_long(long a, long b) { return a * 3 - b; }
float f_float(float a, float b) { return a * 2 + b; }
double f_double(double a, double b) { return a - b / 4; }
double f_mix(int32_t a, double b, int32_t c, float d) { return a + b * 10 + c * 100 + d * 1000; }
float f_fmix(float a, int32_t b, float c, int32_t d, float e) {
  return a + (float)b * 2 + c * 4 + (float)d * 8 + e * 16;
}
double f_many(int32_t a, double b, float c, int64_t d, float e, double f, int8_t g, uint16_t h,
              float i, double j, int32_t k, S3 l, S16 m) {
  return a + b * 2 + c * 3 + (double)d * 4 + e * 5 + f * 6 + g * 7 + h * 8 + i * 9 + j * 10 +
         k * 11 + (l.a + l.b * 2 + l.c * 3) * 12 + m.a * 13 + (double)m.b * 14;
}
int64_t f_manyint(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, int64_t g,
                  uint64_t h) {
  return a + b * 2 + c * 3 + d * 4 + (int64_t)e * 5 + (int64_t)f * 6 + g * 7 + (int64_t)h * 8;
}
int32_t* f_ptr(int32_t* p, int32_t v) {
  *p += v;
  return p + 2;
}
long double f_ld(long double a, int32_t b, long double c) { return a * b + c / 3; }
void f_void(int32_t* p, int32_t v) { *p = *p * 3 + v; }
int32_t f_fmt(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof g_text, fmt, ap);
  va_end(ap);
  return n;
}

#define STRUCT_FN(S, body)               \
  S f_##S(int32_t k, S a, S b) {         \
    S r;                                 \
    body;                                \
    return r;                            \
  }
STRUCT_FN(S1, r.a = (int8_t)(a.a + k * b.a))
STRUCT_FN(S2, r.a = (int8_t)(a.a + k * b.a); r.b = (int8_t)(a.b - k * b.b))
STRUCT_FN(S3, r.a = (int8_t)(a.a + k * b.a); r.b = (int8_t)(a.b - k * b.b);
          r.c = (int8_t)(a.c + b.c))
STRUCT_FN(S4, r.a = (int16_t)(a.a + k * b.a); r.b = (int8_t)(a.b - b.b); r.c = (int8_t)(a.c * k))
STRUCT_FN(S4F, r.f = a.f + (float)k * b.f)
STRUCT_FN(S8, r.a = a.a + k * b.a; r.b = a.b - (float)k * b.b)
STRUCT_FN(S12, r.a = a.a + (float)k * b.a; r.b = a.b - b.b; r.c = a.c * b.c)
STRUCT_FN(S16, r.a = a.a * k + b.a; r.b = a.b - k * b.b)
STRUCT_FN(S24, r.a = a.a + k * b.a; r.b = a.b * b.b; r.c = a.c - k * b.c)

#define CALLER(name, R, params)                       \
  void call_##name(void* fp, void* out) {             \
    *(R*)out = ((R(*) params)fp)(ARGS_##name);        \
  }
CALLER(s8, int8_t, (int8_t, int8_t))
CALLER(u8, uint8_t, (uint8_t, uint8_t))
CALLER(s16, int16_t, (int16_t, int16_t))
CALLER(u16, uint16_t, (uint16_t, uint16_t))
CALLER(s32, int32_t, (int32_t, int32_t))
CALLER(u32, uint32_t, (uint32_t, uint32_t))
CALLER(s64, int64_t, (int64_t, int64_t))
CALLER(u64, uint64_t, (uint64_t, uint64_t))
CALLER(long, long, (long, long))
CALLER(float, float, (float, float))
CALLER(double, double, (double, double))
CALLER(mix, double, (int32_t, double, int32_t, float))
CALLER(fmix, float, (float, int32_t, float, int32_t, float))
CALLER(many, double,
       (int32_t, double, float, int64_t, float, double, int8_t, uint16_t, float, double, int32_t,
        S3, S16))
CALLER(manyint, int64_t,
       (int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t))
CALLER(ptr, int32_t*, (int32_t*, int32_t))
CALLER(ld, long double, (long double, int32_t, long double))
CALLER(fmt, int32_t, (char*, const char*, ...))

void call_void(void* fp, void* out) {
  (void)out;
  ((void (*)(int32_t*, int32_t))fp)(ARGS_void);
}

#define CALLER_STRUCT(S)                                    \
  void call_##S(void* fp, void* out) {                      \
    *(S*)out = ((S(*)(int32_t, S, S))fp)(ARGS_STRUCT(S));   \
  }
CALLER_STRUCT(S1)
CALLER_STRUCT(S2)
CALLER_STRUCT(S3)
CALLER_STRUCT(S4)
CALLER_STRUCT(S4F)
CALLER_STRUCT(S8)
CALLER_STRUCT(S12)
CALLER_STRUCT(S16)
CALLER_STRUCT(S24)
