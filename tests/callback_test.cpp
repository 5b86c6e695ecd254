// SPDX-License-Identifier: MIT
// Callbacks: C function pointers into managed code, from foreign threads
// and nested inside foreign calls.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/cfuncs.h"
#include "tests/tsan_limits.hpp"

using namespace std::chrono_literals;

namespace {

TEST(Callback, FromAForeignThread) {
  cbridge::Callback<long(long)> cb([](long x) { return x * 3; });
  EXPECT_EQ(call_cb_on_new_thread(cb.fn(), 100), 3 * 99 * 100 / 2);
}

TEST(Callback, HandlerRunsOnATaskAndMayBlock) {
  cbridge::Chan<long> ch(1000);
  cbridge::Callback<long(long)> cb([&](long x) {
    EXPECT_TRUE(cbridge::in_task());
    cbridge::sleep_for(100us);  // parks the task; the C thread waits
    ch.send(x);
    return x;
  });
  EXPECT_EQ(call_cb_on_new_thread(cb.fn(), 50), 49 * 50 / 2);
  long sum = 0;
  while (auto v = ch.try_recv()) sum += *v;
  EXPECT_EQ(sum, 49 * 50 / 2);
}

TEST(Callback, HandlerWaitsForAnotherTask) {
  cbridge::Chan<int> req, rsp;
  cbridge::go([req, rsp]() mutable {
    while (auto v = req.recv()) rsp.send(*v + 1);
  });
  cbridge::Callback<long(long)> cb([&](long x) {
    req.send(int(x));
    return long(*rsp.recv());
  });
  EXPECT_EQ(call_cb_on_new_thread(cb.fn(), 100), 99 * 100 / 2 + 100);
  req.close();
}

TEST(Callback, HandlerMakesAForeignCall) {
  cbridge::Callback<long(long)> cb([](long x) { return long(cbridge::call(add3, int(x), 1, 1)); });
  EXPECT_EQ(call_cb_on_new_thread(cb.fn(), 10), 45 + 20);
}

TEST(Callback, NestedRunsOnTheCallingTask) {
  cbridge::run([] {
    uint64_t task = cbridge::task_id();
    int64_t m = cbridge::m_id();
    cbridge::Callback<int(int)> cb([&](int x) {
      EXPECT_EQ(cbridge::task_id(), task);  // the same task: its identity holds
      EXPECT_EQ(cbridge::m_id(), m);
      return x + 1;
    });
    EXPECT_EQ(cbridge::call(call_int_cb, cb.fn(), 41), 42);
  });
}

// depth() recurses managed → C → managed, n levels deep.
int depthHandler(int n);
int (*depthFn)(int) = nullptr;
int depthHandler(int n) { return n == 0 ? 0 : cbridge::call(call_int_cb, depthFn, n - 1) + 1; }

TEST(Callback, NestedToDepth1000) {
  cbridge::Callback<int(int)> cb(depthHandler);
  depthFn = cb.fn();
  // Each level keeps its frames on the task's stack and C's on g0's.
  int r = cbridge::run([&] { return cbridge::call(call_int_cb, depthFn, 1000); }, {16 << 20});
  EXPECT_EQ(r, 1000);
}

TEST(Callback, NestedHandlerMayPark) {
  cbridge::run([] {
    cbridge::Chan<int> c(1);
    cbridge::Callback<int(int)> cb([&](int x) {
      cbridge::go([c]() mutable { c.send(5); });
      return x + *c.recv();  // parks inside a foreign call's callback
    });
    EXPECT_EQ(cbridge::call(call_int_cb, cb.fn(), 1), 6);
  });
}

// A nested handler that parks switches the M to a park context made on
// the system stack below the foreign call's frames; the callback's return
// abandons it. Under ASan the C code that then runs over that stack must
// find no redzone left behind (CI saw C's next callback trip on one).
TEST(Callback, AParkedNestedHandlerLeavesTheSystemStackClean) {
  cbridge::run([] {
    cbridge::Chan<int> c(1);
    cbridge::Callback<int(int)> cb([&](int x) {
      cbridge::go([c]() mutable { c.send(5); });
      return x + *c.recv();
    });
    EXPECT_EQ(cbridge::call(call_int_cb_then_write_stack, cb.fn(), 1), 6);
  });
}

// The same on a thread the runtime never created: its callback's park
// context lies on the thread's own stack, below the C caller.
TEST(Callback, AParkedThreadHandlerLeavesTheThreadStackClean) {
  cbridge::Chan<int> c(1);
  cbridge::Callback<int(int)> cb([&](int x) {
    cbridge::go([c]() mutable { c.send(5); });
    return x + *c.recv();
  });
  int r = 0;
  std::thread([&] { r = call_int_cb_then_write_stack(cb.fn(), 1); }).join();
  EXPECT_EQ(r, 6);
}

TEST(Callback, EightThreadsHundredThousandCallsEach) {
  std::atomic<long> total{0};
  cbridge::Callback<long(long)> cb([&](long x) {
    total.fetch_add(1, std::memory_order_relaxed);
    return x & 1;
  });
  std::vector<std::thread> threads;
  std::atomic<int> sameM{0};
  for (int t = 0; t < 8; t++)
    threads.emplace_back([&] {
      long (*f)(long) = cb.fn();
      f(0);
      int64_t m = cbridge_current_m();
      long odd = 0;
      for (long i = 0; i < 100000; i++) odd += f(i);
      EXPECT_EQ(odd, 50000);
      if (cbridge_current_m() == m && m >= 0) sameM++;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(total.load(), 8 * 100001L);
  EXPECT_EQ(sameM.load(), 8);  // a thread keeps its M for its life
}

TEST(Callback, ShortLivedThreadsReuseMs) {
  if (cbridge_test::kTsanBuild) GTEST_SKIP() << cbridge_test::kTsanThreadLimit;
  cbridge::Callback<long(long)> cb([](long x) { return x; });
  // Extra Ms are never freed, so idle + in use counts every one made.
  // (Not ms_created: that also counts the scheduler's own Ms, which a P
  // handed off at a thread's exit may start on a loaded machine.)
  uint64_t idleBefore = 0, inUseBefore = 0;
  cbridge_stat("extra_ms_idle", &idleBefore);
  cbridge_stat("extra_ms_in_use", &inUseBefore);
  constexpr int kBatch = 8;  // at most 8 threads alive at once
  for (int round = 0; round < 10000 / kBatch; round++) {
    std::vector<std::thread> threads;
    for (int i = 0; i < kBatch; i++) threads.emplace_back([&] { EXPECT_EQ(cb.fn()(7), 7); });
    for (auto& th : threads) th.join();
  }
  uint64_t inUse = 1, idle = 0;
  cbridge_stat("extra_ms_in_use", &inUse);
  cbridge_stat("extra_ms_idle", &idle);
  // Bounded by the peak of concurrent threads plus a small constant.
  EXPECT_LE(idle + inUse - (idleBefore + inUseBefore), uint64_t(kBatch + 4));
  EXPECT_EQ(inUse, 0u);  // every thread's exit returned its M
  EXPECT_GE(idle, 1u);
}

TEST(Callback, ThreadExitReleasesItsMEveryTime) {
  cbridge::Callback<long(long)> cb([](long x) { return x + 1; });
  for (int i = 0; i < 200; i++) {
    std::thread t([&] { EXPECT_EQ(cb.fn()(1), 2); });
    t.join();
    uint64_t inUse = 1;
    cbridge_stat("extra_ms_in_use", &inUse);
    ASSERT_EQ(inUse, 0u) << "round " << i;
  }
}

TEST(Callback, AThreadWithAnMIsStillPlainBetweenCallbacks) {
  cbridge::Callback<long(long)> cb([](long x) { return x; });
  std::thread t([&] {
    cb.fn()(1);  // binds this thread an extra M
    EXPECT_GE(cbridge::m_id(), 0);
    EXPECT_FALSE(cbridge::in_task());
    EXPECT_EQ(cbridge::call(add3, 1, 2, 3), 6);  // a plain call
    EXPECT_EQ(cbridge::run([] { return cbridge::in_task(); }), true);  // runs a real task
    EXPECT_EQ(cb.fn()(5), 5);
  });
  t.join();
}

TEST(Callback, ExceptionCanReturnZero) {
  cbridge::Callback<long(long)> cb([](long x) -> long {
    if (x == 3) throw std::runtime_error("three");
    return x + 100;
  },
                                   {cbridge::OnException::ReturnZero});
  EXPECT_EQ(call_cb_on_new_thread(cb.fn(), 5), 100 + 101 + 102 + 0 + 104);
  EXPECT_EQ(cb.last_error(), "three");
}

TEST(Callback, NarrowResultsAreWidenedForC) {
  cbridge::Callback<int(int)> neg([](int x) { return -x; });
  EXPECT_EQ(call_int_cb(neg.fn(), 5), -5);
  std::thread t([&] { EXPECT_EQ(call_int_cb(neg.fn(), 7), -7); });
  t.join();
}

TEST(Callback, DynamicWithStructByValue) {
  cbridge::DynamicCallback cb("double(struct {int; double})", [](void* ret, void** args) {
    auto* p = static_cast<pair*>(args[0]);
    *static_cast<double*>(ret) = p->a * p->b;
  });
  auto fn = reinterpret_cast<double (*)(pair)>(cb.fn());
  EXPECT_DOUBLE_EQ(call_struct_cb(fn, 3, 1.5), 4.5);
}

TEST(Callback, VariadicSignatureIsRefused) {
  EXPECT_THROW(cbridge::DynamicCallback("int(int, ...)", [](void*, void**) {}), cbridge::SignatureError);
}

struct CState {
  std::atomic<int> calls{0};
};

void cHandler(void* ret, void** args, void* user) {
  auto* st = static_cast<CState*>(user);
  st->calls++;
  cbridge_sleep_ns(1000);
  *static_cast<int*>(ret) = *static_cast<int*>(args[0]) * 10;
}

TEST(CApiCallback, NewCallFree) {
  CState st;
  cbridge_callback* cb = cbridge_callback_new("int(int)", cHandler, &st);
  ASSERT_NE(cb, nullptr);
  auto fn = reinterpret_cast<int (*)(int)>(cbridge_callback_fn(cb));
  EXPECT_EQ(call_int_cb(fn, 4), 40);
  std::thread t([&] { EXPECT_EQ(fn(5), 50); });
  t.join();
  EXPECT_EQ(st.calls.load(), 2);
  cbridge_callback_free(cb);
  cbridge_callback_free(nullptr);
}

TEST(CApiCallback, Errors) {
  EXPECT_EQ(cbridge_callback_new("int(int,,)", cHandler, nullptr), nullptr);
  EXPECT_STREQ(cbridge_last_error(), "signature \"int(int,,)\": expected a type at column 9");
  EXPECT_EQ(cbridge_callback_new(nullptr, cHandler, nullptr), nullptr);
  EXPECT_STREQ(cbridge_last_error(), "cbridge_callback_new: signature is NULL");
  uint64_t v = 77;
  EXPECT_EQ(cbridge_stat("no_such_counter", &v), CBRIDGE_ERR_ARGUMENT);
  EXPECT_EQ(v, 77u);
  EXPECT_STREQ(cbridge_last_error(),
               "cbridge_stat: unknown counter \"no_such_counter\" (see cbridge.h for the names)");
  EXPECT_EQ(cbridge_go(nullptr, nullptr), CBRIDGE_ERR_ARGUMENT);
}

void bump(void* p) { static_cast<std::atomic<int>*>(p)->fetch_add(1); }

TEST(CApiCallback, GoAndStats) {
  std::atomic<int> n{0};
  for (int i = 0; i < 10; i++) ASSERT_EQ(cbridge_go(bump, &n), CBRIDGE_OK);
  while (n.load() < 10) std::this_thread::yield();
  const char* names[] = {"ms_created", "ms_idle", "extra_ms_idle", "extra_ms_in_use", "callbacks",
                         "callback_cache_hits", "stack_bound_updates", "tasks_live", "tasks_created",
                         "procs", "syscall_retakes", "preempt_attempts", "preempt_refused"};
  for (const char* name : names) {
    uint64_t v;
    EXPECT_EQ(cbridge_stat(name, &v), CBRIDGE_OK) << name;
  }
  uint64_t procs = 0;
  cbridge_stat("procs", &procs);
  EXPECT_GT(procs, 0u);
}

}  // namespace
