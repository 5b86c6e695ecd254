// SPDX-License-Identifier: MIT
// Typed foreign calls: every scalar type, structs by value, variadic C
// functions, errno, the system stack, and calls from many tasks at once.
#include <gtest/gtest.h>

#include <cbridge/call.hpp>
#include <cbridge/cbridge.hpp>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>

#include "tests/cfuncs.h"

namespace {

// long is as wide as a pointer on Linux and 32 bits on Windows (LLP64):
// the extremes are its own, so each ABI's top bits are exercised.
constexpr unsigned long kULongTop = ULONG_MAX / 2 + 1;

TEST(Call, EveryScalarType) {
  cbridge::run([] {
    EXPECT_EQ(cbridge::call(inc_char, 'a'), 'b');
    EXPECT_EQ(cbridge::call(inc_schar, static_cast<signed char>(-2)), -1);
    EXPECT_EQ(cbridge::call(inc_uchar, static_cast<unsigned char>(254)), 255);
    EXPECT_EQ(cbridge::call(inc_short, static_cast<short>(-300)), -299);
    EXPECT_EQ(cbridge::call(inc_ushort, static_cast<unsigned short>(65534)), 65535);
    EXPECT_EQ(cbridge::call(inc_int, -7), -6);
    EXPECT_EQ(cbridge::call(inc_uint, 4000000000u), 4000000001u);
    EXPECT_EQ(cbridge::call(inc_long, LONG_MIN + 1), LONG_MIN + 2);
    EXPECT_EQ(cbridge::call(inc_ulong, kULongTop), kULongTop + 1);
    EXPECT_EQ(cbridge::call(inc_llong, -1LL), 0LL);
    EXPECT_EQ(cbridge::call(inc_ullong, ~0ULL - 1), ~0ULL);
    EXPECT_EQ(cbridge::call(inc_i8, int8_t(-128)), -127);
    EXPECT_EQ(cbridge::call(inc_u8, uint8_t(7)), 8);
    EXPECT_EQ(cbridge::call(inc_i16, int16_t(-1)), 0);
    EXPECT_EQ(cbridge::call(inc_u16, uint16_t(9)), 10);
    EXPECT_EQ(cbridge::call(inc_i32, int32_t(-100)), -99);
    EXPECT_EQ(cbridge::call(inc_u32, uint32_t(100)), 101u);
    EXPECT_EQ(cbridge::call(inc_i64, int64_t(-1) << 40), (int64_t(-1) << 40) + 1);
    EXPECT_EQ(cbridge::call(inc_u64, uint64_t(1) << 40), (uint64_t(1) << 40) + 1);
    EXPECT_EQ(cbridge::call(inc_size, size_t(41)), 42u);
    EXPECT_EQ(cbridge::call(inc_ssize, ssize_t(-41)), -40);
    EXPECT_EQ(cbridge::call(not_bool, true), false);
    EXPECT_FLOAT_EQ(cbridge::call(half_float, 3.0f), 1.5f);
    EXPECT_DOUBLE_EQ(cbridge::call(half_double, 5.0), 2.5);
    EXPECT_EQ(cbridge::call(half_ldouble, 7.0L), 3.5L);
    char buf[8];
    EXPECT_EQ(cbridge::call(ptr_add, static_cast<void*>(buf), 3L), buf + 3);
    EXPECT_EQ(cbridge::call(mixed, 1, 2.9, "abc", 4.5f, 10LL), 1 + 2 + 3 + 4 + 10);
  });
}

TEST(Call, StructsByValue) {
  cbridge::run([] {
    EXPECT_DOUBLE_EQ(cbridge::call(sum_pair, pair{2, 0.5}), 2.5);
    pair p = cbridge::call(make_pair, 3, 1.25);
    EXPECT_EQ(p.a, 3);
    EXPECT_DOUBLE_EQ(p.b, 1.25);
    outer o = cbridge::call(make_outer, 'x', 4, 2.5, 0.5f);
    EXPECT_EQ(o.c, 'x');
    EXPECT_DOUBLE_EQ(cbridge::call(sum_outer, o), 'x' + 4 + 2.5 + 0.5);
    tiny t = cbridge::call(swap_tiny, tiny{1, 2});
    EXPECT_EQ(t.a, 2);
    EXPECT_EQ(t.b, 1);
    big b = cbridge::call(make_big, 100L);
    EXPECT_EQ(b.v[7], 107);
  });
}

TEST(Call, VariadicFunctions) {
  cbridge::run([] {
    EXPECT_EQ(cbridge::call(sum_ints, 3, 1, 2, 3), 6);
    EXPECT_DOUBLE_EQ(cbridge::call(sum_doubles, 2, 0.5, 0.25), 0.75);
    char buf[64];
    int n = cbridge::call(snprintf, buf, sizeof buf, "%d-%s-%.2f", 7, "x", 1.5);
    EXPECT_EQ(n, 8);
    EXPECT_STREQ(buf, "7-x-1.50");
  });
}

TEST(Call, ErrnoIsWhatTheFunctionLeft) {
  cbridge::run([] {
    for (int i = 0; i < 100; i++) {
      errno = 0;
      EXPECT_EQ(cbridge::call(set_errno, EILSEQ), -1);
      EXPECT_EQ(errno, EILSEQ);
      cbridge::yield();  // may move to another thread; errno was restored there
      EXPECT_EQ(cbridge::call(set_errno, ERANGE), -1);
      EXPECT_EQ(errno, ERANGE);
    }
  });
}

TEST(Call, ForeignCodeRunsOnTheSystemStack) {
  // 4 MiB of C stack from a task whose own stack is 64 KiB.
  long r = cbridge::run([] { return cbridge::call(deep_stack, 4096); }, {64 * 1024});
  EXPECT_EQ(r, 64 + 1 + 63);
}

TEST(Call, FromAPlainThreadIsAPlainCall) {
  EXPECT_EQ(cbridge::call(add3, 1, 2, 3), 6);
  std::thread t([] { EXPECT_EQ(cbridge::call(add3, 4, 5, 6), 15); });
  t.join();
}

TEST(Call, ManyTasksCallingAtOnce) {
  cbridge::run([] {
    cbridge::WaitGroup wg;
    std::atomic<long> sum{0};
    for (int t = 0; t < 64; t++) {
      wg.add(1);
      cbridge::go([&, t] {
        for (int i = 0; i < 500; i++) sum += cbridge::call(add3, t, i, 1);
        wg.done();
      });
    }
    wg.wait();
    long want = 0;
    for (int t = 0; t < 64; t++)
      for (int i = 0; i < 500; i++) want += t + i + 1;
    EXPECT_EQ(sum.load(), want);
  });
}

TEST(Call, BlockingCallsDoNotStopOtherTasks) {
  // Every P's M blocks in C at once; the other tasks still run, on Ms
  // that sysmon hands the Ps to.
  cbridge::run([] {
    int procs = cbridge::stats().procs;
    cbridge::WaitGroup blockers;
    std::atomic<bool> released{false};
    for (int i = 0; i < procs; i++) {
      blockers.add(1);
      cbridge::go([&] {
        while (!released) cbridge::call(sleep_ms, 20);
        blockers.done();
      });
    }
    cbridge::WaitGroup others;
    std::atomic<int> ran{0};
    for (int i = 0; i < 50; i++) {
      others.add(1);
      cbridge::go([&] {
        ran++;
        others.done();
      });
    }
    others.wait();
    // The others may all have run on a P no blocker held; the blockers go
    // on calling until sysmon has retaken a P from one of them (or 10 s
    // pass), so the retake is asserted whatever the order of the runs.
    for (int i = 0; i < 1000 && cbridge::stats().syscall_retakes == 0; i++)
      cbridge::sleep_for(std::chrono::milliseconds(10));
    released = true;
    blockers.wait();
    EXPECT_EQ(ran.load(), 50);
    EXPECT_GT(cbridge::stats().syscall_retakes, 0u);
  });
}

}  // namespace
