// SPDX-License-Identifier: MIT
// Dynamic foreign calls by signature string, the C API, and Library.
#include <gtest/gtest.h>

#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/dynamic.hpp>
#include <cbridge/library.hpp>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "tests/cfuncs.h"

namespace {

// long is as wide as a pointer on Linux and 32 bits on Windows (LLP64):
// the extremes are its own, so each ABI's top bits are exercised.
constexpr unsigned long kULongTop = ULONG_MAX / 2 + 1;

template <typename F>
void* fp(F* f) {
  return reinterpret_cast<void*>(f);
}

// callOne calls fn(arg) through signature and returns the result.
template <typename R, typename A>
R callOne(void* fn, const char* signature, A arg) {
  cbridge::ForeignFunction f(fn, signature);
  R r{};
  void* args[] = {&arg};
  f.call(&r, args);
  return r;
}

TEST(Dynamic, EveryScalarType) {
  cbridge::run([] {
    EXPECT_EQ(callOne<char>(fp(inc_char), "char(char)", 'a'), 'b');
    EXPECT_EQ((callOne<signed char, signed char>(fp(inc_schar), "signed char(signed char)", -2)), -1);
    EXPECT_EQ((callOne<unsigned char, unsigned char>(fp(inc_uchar), "unsigned char(unsigned char)", 254)), 255);
    EXPECT_EQ((callOne<short, short>(fp(inc_short), "short(short int)", -300)), -299);
    EXPECT_EQ((callOne<unsigned short, unsigned short>(fp(inc_ushort), "unsigned short(unsigned short)", 65534)), 65535);
    EXPECT_EQ(callOne<int>(fp(inc_int), "int(int)", -7), -6);
    EXPECT_EQ(callOne<unsigned>(fp(inc_uint), "unsigned(unsigned int)", 4000000000u), 4000000001u);
    EXPECT_EQ(callOne<long>(fp(inc_long), "long(long int)", LONG_MIN + 1), LONG_MIN + 2);
    EXPECT_EQ(callOne<unsigned long>(fp(inc_ulong), "unsigned long(unsigned long)", kULongTop), kULongTop + 1);
    EXPECT_EQ(callOne<long long>(fp(inc_llong), "long long(long long)", -1LL), 0);
    EXPECT_EQ(callOne<unsigned long long>(fp(inc_ullong), "unsigned long long int(unsigned long long)", ~0ULL - 1), ~0ULL);
    EXPECT_EQ((callOne<int8_t, int8_t>(fp(inc_i8), "int8_t(int8_t)", -128)), -127);
    EXPECT_EQ((callOne<uint8_t, uint8_t>(fp(inc_u8), "uint8_t(uint8_t)", 7)), 8);
    EXPECT_EQ((callOne<int16_t, int16_t>(fp(inc_i16), "int16_t(int16_t)", -1)), 0);
    EXPECT_EQ((callOne<uint16_t, uint16_t>(fp(inc_u16), "uint16_t(uint16_t)", 9)), 10);
    EXPECT_EQ((callOne<int32_t, int32_t>(fp(inc_i32), "int32_t(int32_t)", -100)), -99);
    EXPECT_EQ((callOne<uint32_t, uint32_t>(fp(inc_u32), "uint32_t(uint32_t)", 100)), 101u);
    EXPECT_EQ((callOne<int64_t, int64_t>(fp(inc_i64), "int64_t(int64_t)", int64_t(-1) << 40)), (int64_t(-1) << 40) + 1);
    EXPECT_EQ((callOne<uint64_t, uint64_t>(fp(inc_u64), "uint64_t(uint64_t)", uint64_t(1) << 40)), (uint64_t(1) << 40) + 1);
    EXPECT_EQ((callOne<size_t, size_t>(fp(inc_size), "size_t(size_t)", 41)), 42u);
    EXPECT_EQ((callOne<ssize_t, ssize_t>(fp(inc_ssize), "ssize_t(ssize_t)", -41)), -40);
    EXPECT_EQ(callOne<bool>(fp(not_bool), "bool(_Bool)", true), false);
    EXPECT_FLOAT_EQ(callOne<float>(fp(half_float), "float(float)", 3.0f), 1.5f);
    EXPECT_DOUBLE_EQ(callOne<double>(fp(half_double), "double(const double)", 5.0), 2.5);
    EXPECT_EQ(callOne<long double>(fp(half_ldouble), "long double(long double)", 7.0L), 3.5L);
  });
}

TEST(Dynamic, PointersAndMixedArguments) {
  char buf[8];
  void* p = buf;
  long n = 5;
  void* r = nullptr;
  void* args[] = {&p, &n};
  cbridge::ForeignFunction(fp(ptr_add), "void*(void *, long)").call(&r, args);
  EXPECT_EQ(r, buf + 5);

  int a = 1;
  double b = 2.9;
  const char* s = "abc";
  float c = 4.5f;
  long long d = 10;
  void* margs[] = {&a, &b, &s, &c, &d};
  int out = 0;
  cbridge::ForeignFunction f(fp(mixed), "int(int, double, const char *, float, long long)");
  EXPECT_EQ(f.arity(), 5u);
  f.call(&out, margs);
  EXPECT_EQ(out, 20);
}

TEST(Dynamic, StructsByValueNested) {
  cbridge::run([] {
    pair p{2, 0.5};
    double d = 0;
    void* a1[] = {&p};
    cbridge::ForeignFunction(fp(sum_pair), "double(struct {int; double})").call(&d, a1);
    EXPECT_DOUBLE_EQ(d, 2.5);

    int ia = 3;
    double db = 1.25;
    pair made{};
    void* a2[] = {&ia, &db};
    cbridge::ForeignFunction(fp(make_pair), "struct {int; double;}(int, double)").call(&made, a2);
    EXPECT_EQ(made.a, 3);
    EXPECT_DOUBLE_EQ(made.b, 1.25);

    outer o{'x', {4, 2.5}, 0.5f};
    void* a3[] = {&o};
    cbridge::ForeignFunction(fp(sum_outer), "double(struct {char; struct {int; double}; float})")
        .call(&d, a3);
    EXPECT_DOUBLE_EQ(d, 'x' + 4 + 2.5 + 0.5);

    tiny t{1, 2}, swapped{};
    void* a4[] = {&t};
    cbridge::ForeignFunction(fp(swap_tiny), "struct {char; char}(struct {char; char})").call(&swapped, a4);
    EXPECT_EQ(swapped.a, 2);

    long seed = 100;
    big bg{};
    void* a5[] = {&seed};
    cbridge::ForeignFunction(fp(make_big), "struct {long; long; long; long; long; long; long; long}(long)")
        .call(&bg, a5);
    EXPECT_EQ(bg.v[7], 107);
  });
}

TEST(Dynamic, VariadicSnprintfAndSums) {
  cbridge::run([] {
    char buf[64];
    char* pb = buf;
    size_t size = sizeof buf;
    const char* fmt = "%d-%s-%.2f";
    int i = 7;
    const char* s = "x";
    double d = 1.5;
    void* args[] = {&pb, &size, &fmt, &i, &s, &d};
    int n = 0;
    cbridge::ForeignFunction f(fp(snprintf), "int(char*, size_t, const char*, ..., int, const char*, double)");
    f.call(&n, args);
    EXPECT_EQ(n, 8);
    EXPECT_STREQ(buf, "7-x-1.50");

    int count = 3, x = 1, y = 2, z = 3, total = 0;
    void* sargs[] = {&count, &x, &y, &z};
    cbridge::ForeignFunction(fp(sum_ints), "int(int, ..., int, int, int)").call(&total, sargs);
    EXPECT_EQ(total, 6);

    int two = 2;
    double u = 0.5, v = 0.25, dt = 0;
    void* dargs[] = {&two, &u, &v};
    cbridge::ForeignFunction(fp(sum_doubles), "double(int, ..., double, double)").call(&dt, dargs);
    EXPECT_DOUBLE_EQ(dt, 0.75);
  });
}

TEST(Dynamic, VoidAndDroppedResults) {
  cbridge::ForeignFunction(fp(empty_fn), "void(void)").call(nullptr, nullptr);
  int a = 1, b = 2, c = 3;
  void* args[] = {&a, &b, &c};
  cbridge::ForeignFunction(fp(add3), "int(int,int,int)").call(nullptr, args);  // result dropped
  long seed = 1;
  void* bargs[] = {&seed};
  cbridge::ForeignFunction(fp(make_big), "struct {long; long; long; long; long; long; long; long}(long)")
      .call(nullptr, bargs);
}

TEST(Dynamic, ErrnoIsWhatTheFunctionLeft) {
  cbridge::run([] {
    int e = EDOM, r = 0;
    void* args[] = {&e};
    cbridge::ForeignFunction f(fp(set_errno), "int(int)");
    errno = 0;
    f.call(&r, args);
    EXPECT_EQ(errno, EDOM);
  });
}

TEST(Dynamic, NullFunctionIsAnError) {
  EXPECT_THROW(cbridge::ForeignFunction(nullptr, "int(int)"), std::invalid_argument);
}

TEST(CApi, CallsAndCachesSignatures) {
  cbridge::run([] {
    int a = 1, b = 2, c = 3, out = 0;
    void* args[] = {&a, &b, &c};
    for (int i = 0; i < 3; i++) {
      out = 0;
      EXPECT_EQ(cbridge_call(fp(add3), "int(int, int, int)", &out, args), CBRIDGE_OK);
      EXPECT_EQ(out, 6);
    }
  });
}

TEST(CApi, FromC99) {
  int out = 0;
  EXPECT_EQ(c99_call_add3(2, 3, 4, &out), CBRIDGE_OK);
  EXPECT_EQ(out, 9);
}

TEST(CApi, VersionOfTheHeadersIsTheLibrarys) {
  EXPECT_EQ(c99_version_matches(), 1);
  EXPECT_EQ(cbridge_version(), unsigned(CBRIDGE_VERSION_HEX));
  EXPECT_STREQ(cbridge_version_string(), "0.1.0");
}

TEST(CApi, ErrorsAreCodesWithAMessage) {
  int a = 0;
  void* args[] = {&a};
  EXPECT_EQ(cbridge_call(fp(inc_int), "int(int,, double)", &a, args), CBRIDGE_ERR_SIGNATURE);
  EXPECT_STREQ(cbridge_last_error(), "signature \"int(int,, double)\": expected a type at column 9");
  EXPECT_EQ(cbridge_call(nullptr, "int(int)", &a, args), CBRIDGE_ERR_ARGUMENT);
  EXPECT_STREQ(cbridge_last_error(), "cbridge_call: fn is NULL (signature \"int(int)\")");
  EXPECT_EQ(cbridge_call(fp(inc_int), nullptr, &a, args), CBRIDGE_ERR_ARGUMENT);
  EXPECT_EQ(cbridge_call(fp(inc_int), "int(int)", &a, nullptr), CBRIDGE_ERR_ARGUMENT);
  EXPECT_STREQ(cbridge_last_error(),
               "cbridge_call: args is NULL but signature \"int(int)\" has 1 argument(s)");
}

TEST(CApi, LastErrorFollowsTheTask) {
  cbridge::run([] {
    int a = 0;
    void* args[] = {&a};
    EXPECT_EQ(cbridge_call(fp(inc_int), "nope(int)", &a, args), CBRIDGE_ERR_SIGNATURE);
    for (int i = 0; i < 10; i++) cbridge::sleep_for(std::chrono::microseconds(100));
    EXPECT_STREQ(cbridge_last_error(), "signature \"nope(int)\": unknown type 'nope' at column 1");
  });
}

TEST(Library, LoadsAndBindsBySignature) {
  cbridge::Library libm("libm.so.6");
  cbridge::ForeignFunction cosf = libm.function("cos", "double(double)");
  double x = 0, r = 1;
  void* args[] = {&x};
  cosf.call(&r, args);
  EXPECT_DOUBLE_EQ(r, 1.0);
  EXPECT_NE(libm.symbol("sin"), nullptr);
}

TEST(Library, MissingLibraryCarriesDlerror) {
  try {
    cbridge::Library lib("libdoes-not-exist.so");
    FAIL();
  } catch (const cbridge::LibraryError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("cannot load library \"libdoes-not-exist.so\": ", 0), 0u) << what;
    EXPECT_NE(what.find("No such file"), std::string::npos) << what;
  }
}

TEST(Library, MissingSymbolCarriesDlerror) {
  cbridge::Library libm("libm.so.6");
  try {
    libm.symbol("no_such_symbol_here");
    FAIL();
  } catch (const cbridge::LibraryError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("symbol \"no_such_symbol_here\" not found in \"libm.so.6\": ", 0), 0u) << what;
    EXPECT_NE(what.find("undefined symbol"), std::string::npos) << what;
  }
}

}  // namespace
