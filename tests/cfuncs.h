/* SPDX-License-Identifier: MIT */
/* C functions the bridge tests call, compiled as C. */
#ifndef CBRIDGE_TESTS_CFUNCS_H
#define CBRIDGE_TESTS_CFUNCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

char inc_char(char x);
signed char inc_schar(signed char x);
unsigned char inc_uchar(unsigned char x);
short inc_short(short x);
unsigned short inc_ushort(unsigned short x);
int inc_int(int x);
unsigned inc_uint(unsigned x);
long inc_long(long x);
unsigned long inc_ulong(unsigned long x);
long long inc_llong(long long x);
unsigned long long inc_ullong(unsigned long long x);
int8_t inc_i8(int8_t x);
uint8_t inc_u8(uint8_t x);
int16_t inc_i16(int16_t x);
uint16_t inc_u16(uint16_t x);
int32_t inc_i32(int32_t x);
uint32_t inc_u32(uint32_t x);
int64_t inc_i64(int64_t x);
uint64_t inc_u64(uint64_t x);
size_t inc_size(size_t x);
ssize_t inc_ssize(ssize_t x);
bool not_bool(bool x);
float half_float(float x);
double half_double(double x);
long double half_ldouble(long double x);
void* ptr_add(void* p, long n);
int mixed(int a, double b, const char* s, float c, long long d);

struct pair { int a; double b; };
struct outer { char c; struct pair p; float f; };
struct tiny { char a; char b; };
struct big { long v[8]; };
double sum_pair(struct pair p);
struct pair make_pair(int a, double b);
double sum_outer(struct outer o);
struct outer make_outer(char c, int a, double b, float f);
struct tiny swap_tiny(struct tiny t);
struct big make_big(long seed);

int sum_ints(int n, ...);
double sum_doubles(int n, ...);

int set_errno(int e);
long deep_stack(int kib);
void sleep_ms(int ms);
void empty_fn(void);
int add3(int a, int b, int c);

/* Callbacks from C. */
int call_int_cb(int (*cb)(int), int x);
/* cb(x), then 16 KiB of the stack below written from C. */
int call_int_cb_then_write_stack(int (*cb)(int), int x);
void call_void_cb(void (*cb)(void));
/* Runs cb(i) for i in [0, n) on a new pthread and returns the sum. */
long call_cb_on_new_thread(long (*cb)(long), long n);
double call_struct_cb(double (*cb)(struct pair), int a, double b);

/* A C99 caller of the C API: cbridge_call(add3, ...) from C. */
int c99_call_add3(int a, int b, int c, int* out);
int c99_version_matches(void);

#ifdef __cplusplus
}
#endif

#endif
