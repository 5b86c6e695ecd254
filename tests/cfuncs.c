/* SPDX-License-Identifier: MIT */
#include "tests/cfuncs.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

char inc_char(char x) { return (char)(x + 1); }
signed char inc_schar(signed char x) { return (signed char)(x + 1); }
unsigned char inc_uchar(unsigned char x) { return (unsigned char)(x + 1); }
short inc_short(short x) { return (short)(x + 1); }
unsigned short inc_ushort(unsigned short x) { return (unsigned short)(x + 1); }
int inc_int(int x) { return x + 1; }
unsigned inc_uint(unsigned x) { return x + 1; }
long inc_long(long x) { return x + 1; }
unsigned long inc_ulong(unsigned long x) { return x + 1; }
long long inc_llong(long long x) { return x + 1; }
unsigned long long inc_ullong(unsigned long long x) { return x + 1; }
int8_t inc_i8(int8_t x) { return (int8_t)(x + 1); }
uint8_t inc_u8(uint8_t x) { return (uint8_t)(x + 1); }
int16_t inc_i16(int16_t x) { return (int16_t)(x + 1); }
uint16_t inc_u16(uint16_t x) { return (uint16_t)(x + 1); }
int32_t inc_i32(int32_t x) { return x + 1; }
uint32_t inc_u32(uint32_t x) { return x + 1; }
int64_t inc_i64(int64_t x) { return x + 1; }
uint64_t inc_u64(uint64_t x) { return x + 1; }
size_t inc_size(size_t x) { return x + 1; }
ssize_t inc_ssize(ssize_t x) { return x + 1; }
bool not_bool(bool x) { return !x; }
float half_float(float x) { return x / 2; }
double half_double(double x) { return x / 2; }
long double half_ldouble(long double x) { return x / 2; }
void* ptr_add(void* p, long n) { return (char*)p + n; }

int mixed(int a, double b, const char* s, float c, long long d) {
  int n = 0;
  while (s[n] != '\0') n++;
  return a + (int)b + n + (int)c + (int)d;
}

double sum_pair(struct pair p) { return p.a + p.b; }
struct pair make_pair(int a, double b) {
  struct pair p = {a, b};
  return p;
}
double sum_outer(struct outer o) { return o.c + o.p.a + o.p.b + o.f; }
struct outer make_outer(char c, int a, double b, float f) {
  struct outer o = {c, {a, b}, f};
  return o;
}
struct tiny swap_tiny(struct tiny t) {
  struct tiny r = {t.b, t.a};
  return r;
}
struct big make_big(long seed) {
  struct big b;
  for (int i = 0; i < 8; i++) b.v[i] = seed + i;
  return b;
}

int sum_ints(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, int);
  va_end(ap);
  return s;
}

double sum_doubles(int n, ...) {
  va_list ap;
  va_start(ap, n);
  double s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, double);
  va_end(ap);
  return s;
}

int set_errno(int e) {
  errno = e;
  return -1;
}

/* Uses kib KiB of stack in 64 KiB frames. */
long deep_stack(int kib) {
  volatile char frame[64 * 1024];
  frame[0] = (char)kib;
  frame[sizeof frame - 1] = 1;
  if (kib <= 64) return frame[0] + frame[sizeof frame - 1];
  return deep_stack(kib - 64) + frame[sizeof frame - 1];
}

void sleep_ms(int ms) { usleep((useconds_t)ms * 1000); }

void empty_fn(void) {}

int add3(int a, int b, int c) { return a + b + c; }

int call_int_cb(int (*cb)(int), int x) { return cb(x); }

/* Writes 16 KiB of locals: under ASan, memset checks that none of it is
   poisoned, so a redzone a dead frame left below us is reported. */
static __attribute__((noinline)) int write_16k_below(void) {
  char frame[16 * 1024];
  memset(frame, 1, sizeof frame);
  return ((volatile char*)frame)[sizeof frame - 1];
}

int call_int_cb_then_write_stack(int (*cb)(int), int x) {
  int r = cb(x);
  return r + write_16k_below() - 1;
}

void call_void_cb(void (*cb)(void)) { cb(); }

struct thread_cb {
  long (*cb)(long);
  long n;
  long sum;
};

static void* run_thread_cb(void* p) {
  struct thread_cb* t = p;
  for (long i = 0; i < t->n; i++) t->sum += t->cb(i);
  return NULL;
}

long call_cb_on_new_thread(long (*cb)(long), long n) {
  struct thread_cb t = {cb, n, 0};
  pthread_t th;
  if (pthread_create(&th, NULL, run_thread_cb, &t) != 0) return -1;
  pthread_join(th, NULL);
  return t.sum;
}

double call_struct_cb(double (*cb)(struct pair), int a, double b) {
  struct pair p = {a, b};
  return cb(p);
}
