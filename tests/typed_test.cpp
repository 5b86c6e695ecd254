// SPDX-License-Identifier: MIT
// The typed conveniences as a user of a C library's header meets them:
// Callback<F> with enums, a libuv-like callback typedef, structs by value,
// const pointers and function pointers, called from the C library's own
// threads; Library::get<F> on libm and on a test library; cbridge::call
// with enums and structs by value. Built as users build: public headers,
// libcbridge.so with lazy binding (see CMakeLists).
#include <gtest/gtest.h>

#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <cbridge/errors.hpp>
#include <cbridge/library.hpp>
#include <cbridge/signature.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <string>

#include "tests/typed_cfuncs.h"

namespace {

TEST(TypedCallback, SignatureOfCTypes) {
  EXPECT_EQ((cbridge::c_signature<tc_color, tc_color, const char*>()), "unsigned(unsigned, void*)");
  EXPECT_EQ((cbridge::c_signature<void, tc_work_t*>()), "void(void*)");
  EXPECT_EQ(cbridge::c_type_spelling<tc_point>(),
            "struct {int; double; struct {float; char; char; char}; void*}");
  EXPECT_EQ((cbridge::c_signature<int>()), "int(void)");
  enum class Wide : long long { X };
  EXPECT_EQ((cbridge::c_signature<Wide, const int, tc_color (*)(int)>()), "long long(int, void*)");
}

TEST(TypedCallback, EnumsFromCThreads) {
  std::atomic<long> calls{0};
  cbridge::Callback<tc_color_cb> cb([&](tc_color c, const char* name) {
    calls.fetch_add(1, std::memory_order_relaxed);
    EXPECT_TRUE(cbridge::in_task());
    const char* want = c == TC_RED ? "red" : c == TC_GREEN ? "green" : "blue";
    EXPECT_STREQ(name, want);
    return c == TC_BLUE ? TC_RED : static_cast<tc_color>(c * 2);
  });
  tc_color_cb fn = cb.fn();  // the typedef itself, no cast
  // Per thread, 30 calls: 10 of each color, answered 2 + 4 + 1.
  EXPECT_EQ(tc_run_color_cb(fn, 4, 30), 4 * 10 * (2 + 4 + 1));
  EXPECT_EQ(calls.load(), 120);
}

TEST(TypedCallback, UvWorkCbLikeTypedefOnAPool) {
  std::atomic<int> ran{0};
  cbridge::Callback<tc_work_cb> work([&](tc_work_t* req) {
    cbridge::sleep_for(std::chrono::microseconds(50));  // parks; the pool thread waits
    req->result = req->id * 10L;
    ran.fetch_add(1, std::memory_order_relaxed);
  });
  tc_work_t reqs[64] = {};
  for (auto& r : reqs) r.work_cb = work.fn();
  ASSERT_EQ(tc_queue_work(reqs, 64, 4), 0);
  EXPECT_EQ(ran.load(), 64);
  for (int i = 0; i < 64; i++) EXPECT_EQ(reqs[i].result, i * 10L);
}

TEST(TypedCallback, StructsByValueFromCThreads) {
  cbridge::Callback<tc_point_cb> cb([](tc_point p, const tc_inner* scale, tc_color (*pick)(int)) {
    tc_color c = cbridge::call(pick, p.x);  // a function pointer parameter, called as C
    EXPECT_EQ(c, p.x % 2 ? TC_GREEN : TC_BLUE);
    tc_point r = p;
    r.x = 2 * p.x;
    r.y = p.y + 1;
    r.inner.a = p.inner.a * scale->a;
    std::memcpy(r.inner.tag, "ba", 3);
    return r;
  });
  EXPECT_EQ(tc_run_point_cb(cb.fn(), 4, 50), 200);
}

TEST(TypedCallback, NoexceptAndConstQualified) {
  cbridge::Callback<int(const int, const char* const) noexcept> cb(
      [](int x, const char* s) { return x + tc_strsum(s); });
  int (*fn)(int, const char*) noexcept = cb.fn();
  EXPECT_EQ(fn(1, "ab"), 1 + 'a' + 'b');
}

TEST(TypedCall, EnumsAndStructsByValue) {
  EXPECT_EQ(cbridge::call(tc_mix, TC_RED, TC_BLUE), static_cast<tc_color>(TC_RED | TC_BLUE));
  tc_point p{3, 1.5, {0.5f, {'x', 'y', 0}}, "p"};
  tc_point r = cbridge::call(tc_scale, p, 4);
  EXPECT_EQ(r.x, 12);
  EXPECT_EQ(r.y, 6.0);
  EXPECT_EQ(r.inner.a, 2.0f);
  EXPECT_STREQ(r.inner.tag, "xy");
  EXPECT_EQ(r.label, p.label);
  // And from a task, where the call goes through cgocall.
  cbridge::Chan<tc_point> out(1);
  cbridge::go([&] { out.send(cbridge::call(tc_scale, p, 2)); });
  EXPECT_EQ(out.recv()->x, 6);
}

TEST(LibraryGet, LibmCos) {
  cbridge::Library libm("libm.so.6");
  auto cos = libm.get<double(double)>("cos");
  EXPECT_EQ(cos(1.0), std::cos(1.0));
  EXPECT_EQ(cos(0), 1.0);  // converted to double as a C call would
  cbridge::Chan<double> out(1);
  cbridge::go([&] { out.send(cos(0.5)); });
  EXPECT_EQ(*out.recv(), std::cos(0.5));
}

TEST(LibraryGet, TestLibrary) {
  cbridge::Library lib(TYPED_CFUNCS_PATH);
  auto mix = lib.get<tc_color(tc_color, tc_color)>("tc_mix");
  EXPECT_EQ(mix(TC_GREEN, TC_BLUE), static_cast<tc_color>(TC_GREEN | TC_BLUE));
  auto scale = lib.get<tc_point (*)(tc_point, int)>("tc_scale");
  tc_point p{1, 2.0, {1.0f, {'a', 0, 0}}, nullptr};
  EXPECT_EQ(scale(p, 3).y, 6.0);
  auto strsum = lib.get<int(const char*)>("tc_strsum");
  EXPECT_EQ(strsum("AB"), 'A' + 'B');
  auto sumv = lib.get<int(int, ...)>("tc_sumv");
  EXPECT_EQ(sumv(3, 1, 20, 300), 321);
  EXPECT_EQ(sumv(0), 0);
}

TEST(LibraryGet, ErrorsAreSymbols) {
  cbridge::Library libm("libm.so.6");
  try {
    libm.get<double(double)>("no_such_function");
    FAIL() << "no LibraryError";
  } catch (const cbridge::LibraryError& e) {
    EXPECT_NE(std::string(e.what()).find("symbol \"no_such_function\" not found in \"libm.so.6\""),
              std::string::npos)
        << e.what();
  }
}

TEST(DescribeSignature, KindsSizesAndStructLayout) {
  cbridge::SignatureInfo s =
      cbridge::describe_signature("unsigned char(const char*, struct {char; double; short}, ..., int, double)");
  EXPECT_EQ(s.result.kind, cbridge::CTypeKind::Unsigned);
  EXPECT_EQ(s.result.size, 1u);
  ASSERT_EQ(s.params.size(), 4u);
  EXPECT_EQ(s.fixed, 2u);
  EXPECT_TRUE(s.variadic);
  EXPECT_EQ(s.params[0].kind, cbridge::CTypeKind::Pointer);
  struct Like {
    char c;
    double d;
    short h;
  };
  EXPECT_EQ(s.params[1].kind, cbridge::CTypeKind::Struct);
  EXPECT_EQ(s.params[1].size, sizeof(Like));
  EXPECT_EQ(s.params[1].align, alignof(Like));
  EXPECT_EQ(s.params[1].fields.size(), 3u);
  EXPECT_EQ(s.params[2].kind, cbridge::CTypeKind::Signed);
  EXPECT_EQ(s.params[3].kind, cbridge::CTypeKind::Float);
  EXPECT_EQ(s.params[3].size, sizeof(double));
  EXPECT_THROW(cbridge::describe_signature("int(int,, double)"), cbridge::SignatureError);
}

}  // namespace
