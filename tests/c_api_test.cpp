// SPDX-License-Identifier: MIT
// The edge cases of cbridge.h's C API (tests/c99_caller.c calls every
// function from C): the per-thread signature cache of cbridge_call (hits
// and misses, a buffer reused for another signature, eviction, eviction
// from a callback nested in a call), prepared calls on the register path
// and off it, channels with timeouts from tasks and threads, close waking
// receivers, the free of a channel or wait group with waiters, wait groups
// from C threads, and the error texts.
#include <gtest/gtest.h>

#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>

#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bridge/call_cache.hpp"
#include "bridge/prepared_call.hpp"
#include "runtime/chan.hpp"
#include "runtime/waitgroup.hpp"
#include "tests/cfuncs.h"

namespace {

template <typename F>
void* fp(F* f) {
  return reinterpret_cast<void*>(f);
}

// onThread runs f on a new thread: a fresh per-thread cache.
template <typename F>
void onThread(F f) {
  std::thread t(f);
  t.join();
}

// A signature equal in meaning to "int(int, int, int)", unique in text:
// spaces make it a key no other test uses.
std::string add3Signature(int spaces) {
  return "int(int, int," + std::string(size_t(spaces) + 1, ' ') + "int)";
}

int callAdd3(const char* sig, int a, int b, int c) {
  int r = -1;
  void* args[] = {&a, &b, &c};
  EXPECT_EQ(cbridge_call(fp(add3), sig, &r, args), CBRIDGE_OK) << cbridge_last_error();
  return r;
}

TEST(CApiCache, AHitIsALookupInTheThreadsCache) {
  onThread([] {
    std::string sig = add3Signature(1000);
    auto before = cbridge::bridge::callCacheStats();
    for (int i = 0; i < 100; i++) EXPECT_EQ(callAdd3(sig.c_str(), i, 1, 1), i + 2);
    auto local = cbridge::bridge::localCallCacheStats();
    auto after = cbridge::bridge::callCacheStats();
    EXPECT_EQ(local.misses, 1u);
    EXPECT_EQ(local.hits, 99u);
    // The shared cache was asked once: one parse, no lock per call.
    EXPECT_EQ(after.misses - before.misses + after.hits - before.hits, 1u);
  });
}

TEST(CApiCache, ABufferReusedForAnotherSignatureIsToldApart) {
  onThread([] {
    char buf[64];
    std::strcpy(buf, "int(int, int, int)");
    EXPECT_EQ(callAdd3(buf, 1, 2, 3), 6);
    std::strcpy(buf, "double(double)");  // the same pointer, another signature
    double x = 3.0, r = 0;
    void* args[] = {&x};
    EXPECT_EQ(cbridge_call(fp(half_double), buf, &r, args), CBRIDGE_OK);
    EXPECT_EQ(r, 1.5);
    std::strcpy(buf, "int(int, int, int)");
    EXPECT_EQ(callAdd3(buf, 4, 5, 6), 15);
    EXPECT_EQ(cbridge::bridge::localCallCacheStats().misses, 2u);
  });
}

TEST(CApiCache, BoundedAndCorrectUnderEviction) {
  onThread([] {
    std::string first = add3Signature(2000);
    EXPECT_EQ(callAdd3(first.c_str(), 1, 1, 1), 3);
    auto before = cbridge::bridge::callCacheStats();
    // More signatures than both caches hold: first falls out of both.
    for (int i = 0; i < CBRIDGE_SIGNATURE_CACHE_SIZE + 20; i++) {
      std::string s = add3Signature(3000 + i);
      EXPECT_EQ(callAdd3(s.c_str(), i, 0, 0), i);
      EXPECT_LE(cbridge::bridge::localCallCacheStats().entries, cbridge::bridge::kLocalCallCacheSize);
    }
    auto after = cbridge::bridge::callCacheStats();
    EXPECT_LE(after.entries, size_t(CBRIDGE_SIGNATURE_CACHE_SIZE));
    EXPECT_GE(after.evictions - before.evictions, 20u);
    uint64_t misses = cbridge::bridge::localCallCacheStats().misses;
    EXPECT_EQ(callAdd3(first.c_str(), 2, 2, 2), 6);  // parsed again, still right
    EXPECT_EQ(cbridge::bridge::localCallCacheStats().misses, misses + 1);
  });
}

// A struct by value: the outer call goes through ffi_call, which reads
// the prepared call's cif while the callback runs.
struct CallbackAndArg {
  int (*cb)(int);
  int x;
};
int callThroughStruct(CallbackAndArg w) { return w.cb(w.x); }

// callOuter calls cb(x) through the outer signature: call_int_cb on the
// register path, callThroughStruct on ffi_call's.
std::string nestedOuter;
bool nestedViaFfi;
int callOuter(int (*cb)(int), int x) {
  int r = -1;
  CallbackAndArg w{cb, x};
  void* args[] = {&cb, &x};
  void* wargs[] = {&w};
  EXPECT_EQ(cbridge_call(nestedViaFfi ? fp(callThroughStruct) : fp(call_int_cb),
                         nestedOuter.c_str(), &r, nestedViaFfi ? wargs : args),
            CBRIDGE_OK)
      << cbridge_last_error();
  return r;
}

// A callback nested in a call looks up more signatures than both caches
// hold: the outer call's prepared call must stay alive until it returns
// (ASan reports the use after free if it does not).
void evictingHandler(void* ret, void** args, void*) {
  int x = *static_cast<int*>(args[0]);
  for (int i = 0; i < CBRIDGE_SIGNATURE_CACHE_SIZE + 20; i++) {
    std::string s = add3Signature(5000 + i);
    callAdd3(s.c_str(), 0, 0, 0);
  }
  // And the outer signature itself, from inside its own call.
  EXPECT_EQ(callOuter(inc_int, 1), 2);
  *static_cast<int*>(ret) = x + 1;
}

TEST(CApiCache, ACallbackNestedInACallEvictsNothingTheCallUses) {
  cbridge_callback* cb = cbridge_callback_new("int(int)", evictingHandler, nullptr);
  ASSERT_NE(cb, nullptr);
  for (int round = 0; round < 4; round++) {
    // Rounds 0 and 1 take the register path, 2 and 3 ffi_call; even
    // rounds run on a thread, odd ones in a task.
    nestedViaFfi = round >= 2;
    std::string spaces(size_t(4000 + round), ' ');
    nestedOuter =
        nestedViaFfi ? "int(struct {void*;" + spaces + "int})" : "int(void*," + spaces + "int)";
    auto body = [&] {
      int (*f)(int) = reinterpret_cast<int (*)(int)>(cbridge_callback_fn(cb));
      EXPECT_EQ(callOuter(f, 41), 42);
    };
    if (round % 2 == 0)
      onThread(body);
    else
      cbridge::run(body);
  }
  cbridge_callback_free(cb);
}

long sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

TEST(CApiFn, RegisterPathAndLibffiPathAgree) {
  using cbridge::bridge::PreparedCall;
  EXPECT_TRUE(PreparedCall("int(int, int, int)").registers());
  EXPECT_TRUE(PreparedCall("int(int, double, const char*, float, long long)").registers());
  EXPECT_TRUE(PreparedCall("double(int, ..., double, double)").registers());
  EXPECT_FALSE(PreparedCall("double(struct {int; double})").registers());
  EXPECT_FALSE(PreparedCall("long double(long double)").registers());
  EXPECT_FALSE(PreparedCall("long(long, long, long, long, long, long, long)").registers());
  auto body = [] {
    cbridge_fn* f = cbridge_fn_new(fp(mixed), "int(int, double, const char*, float, long long)");
    ASSERT_NE(f, nullptr);
    int a = 1, r = 0;
    double b = 2.5;
    const char* s = "abcd";
    float c = 0.5f;
    long long d = 1LL << 40;
    void* args[] = {&a, &b, &s, &c, &d};
    EXPECT_EQ(cbridge_fn_call(f, &r, args), CBRIDGE_OK);
    EXPECT_EQ(r, mixed(a, b, s, c, d));
    cbridge_fn_free(f);
    cbridge_fn* g = cbridge_fn_new(fp(sum8), "long(long, long, long, long, long, long, long, long)");
    ASSERT_NE(g, nullptr);
    long v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, rl = 0;
    void* a8[] = {&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]};
    EXPECT_EQ(cbridge_fn_call(g, &rl, a8), CBRIDGE_OK);
    EXPECT_EQ(rl, sum8(1, 2, 3, 4, 5, 6, 7, 8));
    cbridge_fn_free(g);
    cbridge_fn* h = cbridge_fn_new(fp(sum_doubles), "double(int, ..., double, double, double)");
    ASSERT_NE(h, nullptr);
    int n = 3;
    double x = 0.5, y = 1.25, z = 2.0, rd = 0;
    void* av[] = {&n, &x, &y, &z};
    EXPECT_EQ(cbridge_fn_call(h, &rd, av), CBRIDGE_OK);
    EXPECT_EQ(rd, 3.75);
    cbridge_fn_free(h);
    cbridge_fn* k = cbridge_fn_new(fp(inc_char), "char(char)");
    char ch = 'y', rc = 0;
    void* ac[] = {&ch};
    EXPECT_EQ(cbridge_fn_call(k, &rc, ac), CBRIDGE_OK);
    EXPECT_EQ(rc, 'z');
    EXPECT_EQ(cbridge_fn_call(k, nullptr, ac), CBRIDGE_OK);  // result dropped
    cbridge_fn_free(k);
  };
  body();
  cbridge::run(body);
}

TEST(CApiFn, ErrnoIsWhatTheFunctionLeft) {
  cbridge::run([] {
    cbridge_fn* f = cbridge_fn_new(fp(set_errno), "int(int)");
    int e = EDOM, r = 0;
    void* args[] = {&e};
    errno = 0;
    EXPECT_EQ(cbridge_fn_call(f, &r, args), CBRIDGE_OK);
    EXPECT_EQ(errno, EDOM);
    cbridge_fn_free(f);
  });
}

// waiters counts the receivers (or senders) queued on a C channel.
int waiters(cbridge_chan* ch, bool receivers) {
  cbridge::detail::ChanCore* c = cbridge::detail::capiChanCore(ch);
  cbridge::rt::LockGuard g(c->lock);
  int n = 0;
  for (cbridge::rt::Sudog* s = receivers ? c->recvq.first : c->sendq.first; s != nullptr; s = s->next)
    n++;
  return n;
}

void waitForWaiters(cbridge_chan* ch, bool receivers, int n) {
  while (waiters(ch, receivers) < n) std::this_thread::yield();
}

TEST(CApiChan, TimeoutsFromTasksAndThreads) {
  cbridge_chan* ch = cbridge_chan_new(sizeof(int), 1);
  auto body = [ch] {
    int v = 0;
    EXPECT_EQ(cbridge_chan_recv(ch, &v, 0), -EAGAIN);
    EXPECT_EQ(cbridge_chan_recv(ch, &v, 1000000), -ETIMEDOUT);
    v = 7;
    EXPECT_EQ(cbridge_chan_send(ch, &v, 0), CBRIDGE_OK);
    EXPECT_EQ(cbridge_chan_send(ch, &v, 0), -EAGAIN);  // full
    EXPECT_EQ(cbridge_chan_send(ch, &v, 1000000), -ETIMEDOUT);
    EXPECT_EQ(cbridge_chan_len(ch), 1u);
    v = 0;
    EXPECT_EQ(cbridge_chan_recv(ch, &v, 1000000000), CBRIDGE_OK);
    EXPECT_EQ(v, 7);
  };
  body();
  onThread(body);
  cbridge::run(body);
  uint64_t armed = 0;
  EXPECT_EQ(cbridge_stat("timers_armed", &armed), CBRIDGE_OK);
  EXPECT_EQ(armed, 0u);  // every timed wait's timer is gone with it
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_OK);
}

TEST(CApiChan, ATimedReceiveGetsAValueSentMeanwhile) {
  cbridge_chan* ch = cbridge_chan_new(sizeof(long), 0);
  std::thread sender([ch] {
    waitForWaiters(ch, true, 1);
    long v = 99;
    EXPECT_EQ(cbridge_chan_send(ch, &v, -1), CBRIDGE_OK);
  });
  cbridge::run([ch] {
    long v = 0;
    EXPECT_EQ(cbridge_chan_recv(ch, &v, 60000000000LL), CBRIDGE_OK);
    EXPECT_EQ(v, 99);
  });
  sender.join();
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_OK);
}

TEST(CApiChan, CloseWakesReceiversOnTasksAndThreads) {
  cbridge_chan* ch = cbridge_chan_new(sizeof(int), 0);
  std::atomic<int> closed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; i++)
    threads.emplace_back([&] {
      int v;
      if (cbridge_chan_recv(ch, &v, -1) == CBRIDGE_ERR_CLOSED) closed++;
    });
  cbridge_waitgroup* wg = cbridge_waitgroup_new();
  cbridge_waitgroup_add(wg, 2);
  struct Arg {
    cbridge_chan* ch;
    std::atomic<int>* closed;
    cbridge_waitgroup* wg;
  } arg{ch, &closed, wg};
  for (int i = 0; i < 2; i++)
    cbridge_go(
        [](void* p) {
          auto* a = static_cast<Arg*>(p);
          int v;
          if (cbridge_chan_recv(a->ch, &v, 60000000000LL) == CBRIDGE_ERR_CLOSED) (*a->closed)++;
          cbridge_waitgroup_done(a->wg);
        },
        &arg);
  waitForWaiters(ch, true, 4);  // all four are waiting: the close must wake them
  EXPECT_EQ(cbridge_chan_close(ch), CBRIDGE_OK);
  for (auto& t : threads) t.join();
  EXPECT_EQ(cbridge_waitgroup_wait(wg), CBRIDGE_OK);
  EXPECT_EQ(closed.load(), 4);
  int v = 0;
  EXPECT_EQ(cbridge_chan_send(ch, &v, -1), CBRIDGE_ERR_CLOSED);
  EXPECT_EQ(cbridge_chan_close(ch), CBRIDGE_ERR_CLOSED);
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_OK);
  EXPECT_EQ(cbridge_waitgroup_free(wg), CBRIDGE_OK);
}

TEST(CApiChan, BufferedValuesOutliveTheClose) {
  cbridge_chan* ch = cbridge_chan_new(3, 4);  // 3-byte elements
  const char* in[] = {"ab", "cd"};
  for (const char* s : in) EXPECT_EQ(cbridge_chan_send(ch, s, 0), CBRIDGE_OK);
  EXPECT_EQ(cbridge_chan_close(ch), CBRIDGE_OK);
  char out[3];
  EXPECT_EQ(cbridge_chan_recv(ch, out, 0), CBRIDGE_OK);
  EXPECT_STREQ(out, "ab");
  EXPECT_EQ(cbridge_chan_recv(ch, nullptr, 0), CBRIDGE_OK);  // dropped
  EXPECT_EQ(cbridge_chan_recv(ch, out, 0), CBRIDGE_ERR_CLOSED);
  EXPECT_EQ(cbridge_chan_recv(ch, out, 1000000), CBRIDGE_ERR_CLOSED);
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_OK);
}

// A channel ready at the call wins over its timeout, however short: with a
// 1 ns timeout the timer has fired by the time the wait selects, and a
// select of both picked the timer half the time (ETIMEDOUT for a closed
// channel, a value left in the buffer, a send not made).
TEST(CApiChan, ReadyAtTheCallBeatsTheTimeout) {
  cbridge_chan* ch = cbridge_chan_new(sizeof(int), 1);
  int timedOut = 0;
  for (int i = 0; i < 200; i++) {
    int v = i, got = -1;
    if (cbridge_chan_send(ch, &v, 1) != CBRIDGE_OK) timedOut++;
    if (cbridge_chan_recv(ch, &got, 1) != CBRIDGE_OK || got != i) timedOut++;
  }
  EXPECT_EQ(cbridge_chan_close(ch), CBRIDGE_OK);
  int notClosed = 0;
  for (int i = 0; i < 200; i++) {
    int got;
    if (cbridge_chan_recv(ch, &got, 1) != CBRIDGE_ERR_CLOSED) notClosed++;
  }
  EXPECT_EQ(timedOut, 0);
  EXPECT_EQ(notClosed, 0);
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_OK);
}

TEST(CApiChan, FreeWithAWaiterIsRefused) {
  cbridge_chan* ch = cbridge_chan_new(sizeof(int), 0);
  std::thread t([ch] {
    int v;
    EXPECT_EQ(cbridge_chan_recv(ch, &v, -1), CBRIDGE_ERR_CLOSED);
  });
  waitForWaiters(ch, true, 1);
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_ERR_BUSY);
  EXPECT_NE(std::strstr(cbridge_last_error(), "still waits"), nullptr);
  EXPECT_EQ(cbridge_chan_close(ch), CBRIDGE_OK);
  t.join();
  EXPECT_EQ(cbridge_chan_free(ch), CBRIDGE_OK);
  EXPECT_EQ(cbridge_chan_free(nullptr), CBRIDGE_OK);
  EXPECT_EQ(cbridge_chan_new(65537, 0), nullptr);
  EXPECT_EQ(cbridge_chan_new(1024, SIZE_MAX / 2), nullptr);
}

struct WgArg {
  cbridge_waitgroup* wg;
  std::atomic<int>* done;
};

void* wgWorker(void* p) {
  auto* a = static_cast<WgArg*>(p);
  for (int i = 0; i < 100; i++) {
    EXPECT_EQ(cbridge_waitgroup_add(a->wg, 1), CBRIDGE_OK);
    EXPECT_EQ(cbridge_waitgroup_done(a->wg), CBRIDGE_OK);
  }
  (*a->done)++;
  EXPECT_EQ(cbridge_waitgroup_done(a->wg), CBRIDGE_OK);
  return nullptr;
}

TEST(CApiWaitGroup, FromCThreads) {
  cbridge_waitgroup* wg = cbridge_waitgroup_new();
  std::atomic<int> done{0};
  WgArg arg{wg, &done};
  constexpr int kThreads = 8;
  ASSERT_EQ(cbridge_waitgroup_add(wg, kThreads), CBRIDGE_OK);
  pthread_t th[kThreads];
  for (auto& t : th) ASSERT_EQ(pthread_create(&t, nullptr, wgWorker, &arg), 0);
  cbridge::run([&] { EXPECT_EQ(cbridge_waitgroup_wait(wg), CBRIDGE_OK); });
  EXPECT_EQ(done.load(), kThreads);
  for (auto& t : th) pthread_join(t, nullptr);
  // Below zero: refused, the counter unchanged (still 0: wait returns).
  EXPECT_EQ(cbridge_waitgroup_done(wg), CBRIDGE_ERR_RANGE);
  EXPECT_EQ(cbridge_waitgroup_add(wg, -5), CBRIDGE_ERR_RANGE);
  EXPECT_EQ(cbridge_waitgroup_wait(wg), CBRIDGE_OK);
  EXPECT_EQ(cbridge_waitgroup_add(wg, 2), CBRIDGE_OK);
  EXPECT_EQ(cbridge_waitgroup_add(wg, -3), CBRIDGE_ERR_RANGE);
  EXPECT_EQ(cbridge_waitgroup_add(wg, -2), CBRIDGE_OK);
  EXPECT_EQ(cbridge_waitgroup_free(wg), CBRIDGE_OK);
  EXPECT_EQ(cbridge_waitgroup_add(nullptr, 1), CBRIDGE_ERR_ARGUMENT);
}

TEST(CApiWaitGroup, FreeWithAWaiterIsRefused) {
  cbridge_waitgroup* wg = cbridge_waitgroup_new();
  cbridge_waitgroup_add(wg, 1);
  std::thread t([wg] { EXPECT_EQ(cbridge_waitgroup_wait(wg), CBRIDGE_OK); });
  while (!cbridge::detail::waitgroupHasWaiters(*cbridge::detail::capiWaitGroupImpl(wg)))
    std::this_thread::yield();
  EXPECT_EQ(cbridge_waitgroup_free(wg), CBRIDGE_ERR_BUSY);
  EXPECT_EQ(cbridge_waitgroup_done(wg), CBRIDGE_OK);
  t.join();
  EXPECT_EQ(cbridge_waitgroup_free(wg), CBRIDGE_OK);
}

TEST(CApiErrors, EveryCodeHasAStableText) {
  for (int code = CBRIDGE_ERR_FIRST; code >= CBRIDGE_ERR_FIRST - 7; code--) {
    std::string t = cbridge_strerror(code);
    EXPECT_EQ(t.find("unknown"), std::string::npos) << code;
  }
  EXPECT_STREQ(cbridge_strerror(-EAGAIN), std::strerror(EAGAIN));
  EXPECT_STREQ(cbridge_strerror(-123456), "unknown error -123456");
  EXPECT_STREQ(cbridge_strerror(42), "unknown error 42");
  // The same text, at the same address, from any thread.
  const char* mine = cbridge_strerror(-99999);
  const char* theirs = nullptr;
  onThread([&] { theirs = cbridge_strerror(-99999); });
  EXPECT_EQ(mine, theirs);
}

TEST(CApiRuntime, ConfigIsCheckedBeforeAnythingStarts) {
  cbridge_config cfg;
  cbridge_config_init(&cfg);
  cfg.force_preempt_ns = 5;
  EXPECT_EQ(cbridge_init(&cfg), CBRIDGE_ERR_ARGUMENT);
  EXPECT_NE(std::strstr(cbridge_last_error(), "force_preempt_ns"), nullptr);
  cbridge_config_init(&cfg);
  cfg.debug = 0x80;
  EXPECT_EQ(cbridge_init(&cfg), CBRIDGE_ERR_ARGUMENT);
  cbridge_config_init(&cfg);
  cfg.size = sizeof(size_t);
  EXPECT_EQ(cbridge_init(&cfg), CBRIDGE_ERR_ARGUMENT);
  // From a task cbridge_run is a call.
  cbridge::run([] {
    int ran = 0;
    EXPECT_EQ(cbridge_run([](void* p) { *static_cast<int*>(p) = 1; }, &ran), CBRIDGE_OK);
    EXPECT_EQ(ran, 1);
  });
}

TEST(CApiLib, OpenSymClose) {
  cbridge_lib* lib = cbridge_lib_open("libm.so.6");
  ASSERT_NE(lib, nullptr);
  void* cosp = cbridge_lib_sym(lib, "cos");
  ASSERT_NE(cosp, nullptr);
  cbridge_fn* f = cbridge_fn_new(cosp, "double(double)");
  double x = 0, r = 0;
  void* args[] = {&x};
  cbridge::run([&] { EXPECT_EQ(cbridge_fn_call(f, &r, args), CBRIDGE_OK); });
  EXPECT_EQ(r, 1.0);
  cbridge_fn_free(f);
  EXPECT_EQ(cbridge_lib_sym(lib, "nope_not_here"), nullptr);
  EXPECT_NE(std::strstr(cbridge_last_error(), "nope_not_here"), nullptr);
  EXPECT_EQ(cbridge_lib_sym(nullptr, "cos"), nullptr);
  EXPECT_EQ(cbridge_lib_close(lib), CBRIDGE_OK);
  EXPECT_EQ(cbridge_lib_open("/nonexistent/libx.so"), nullptr);
  EXPECT_NE(std::strstr(cbridge_last_error(), "/nonexistent/libx.so"), nullptr);
}

}  // namespace
