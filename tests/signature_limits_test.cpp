// SPDX-License-Identifier: MIT
// What a long or ever-changing signature costs (#11.14): an error quotes at
// most kSignatureQuoteMax characters of it, around the error, and the C
// API's cache of parsed signatures stays within CBRIDGE_SIGNATURE_CACHE_SIZE
// entries, least recently used out first, without pulling a prepared call
// from under a call in progress.
#include <gtest/gtest.h>

#include <cbridge/callback.hpp>
#include <cbridge/cbridge.h>
#include <cbridge/dynamic.hpp>
#include <cbridge/errors.hpp>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "bridge/call_cache.hpp"
#include "bridge/signature_quote.hpp"

namespace {

using cbridge::bridge::callCacheStats;
using cbridge::bridge::kSignatureQuoteMax;

std::string repeat(const std::string& s, int n) {
  std::string r;
  for (int i = 0; i < n; i++) r += s;
  return r;
}

// The room a message needs besides the quote: its own words, the
// column, the length.
constexpr size_t kMessageMax = kSignatureQuoteMax + 160;

extern "C" int addOne(int x) { return x + 1; }

TEST(SignatureLimits, LongSignatureErrorQuotesAroundTheColumn) {
  // 100 KB of "int, " with an unknown type in the middle.
  std::string head = "int(" + repeat("int, ", 10000);
  std::string sig = head + "bogus, " + repeat("int, ", 10000) + "int)";
  int x = 1, r = 0;
  void* args[] = {&x};
  ASSERT_EQ(cbridge_call(reinterpret_cast<void*>(addOne), sig.c_str(), &r, args),
            CBRIDGE_ERR_SIGNATURE);
  std::string err = cbridge_last_error();
  EXPECT_LE(err.size(), kMessageMax) << err.substr(0, 400);
  EXPECT_EQ(err.rfind("signature \"...int, ", 0), 0u) << err;
  EXPECT_NE(err.find("int, int, bogus, int, int"), std::string::npos) << err;
  EXPECT_NE(err.find("...\" (" + std::to_string(sig.size()) + " characters): unknown type "
                     "'bogus' at column " + std::to_string(head.size() + 1)),
            std::string::npos)
      << err;
}

TEST(SignatureLimits, ErrorAtEitherEndQuotesThatEnd) {
  std::string sig = "int(int,, " + repeat("int, ", 20000) + "int)";
  EXPECT_EQ(cbridge_call(reinterpret_cast<void*>(addOne), sig.c_str(), nullptr, nullptr),
            CBRIDGE_ERR_SIGNATURE);
  std::string err = cbridge_last_error();
  EXPECT_LE(err.size(), kMessageMax);
  EXPECT_EQ(err.rfind("signature \"int(int,, int", 0), 0u) << err;  // no "..." before
  EXPECT_NE(err.find("expected a type at column 9"), std::string::npos) << err;

  sig = "int(" + repeat("int, ", 20000) + "int";
  EXPECT_EQ(cbridge_call(reinterpret_cast<void*>(addOne), sig.c_str(), nullptr, nullptr),
            CBRIDGE_ERR_SIGNATURE);
  err = cbridge_last_error();
  EXPECT_LE(err.size(), kMessageMax);
  EXPECT_NE(err.find(", int, int\" ("), std::string::npos) << err;  // no "..." after
  EXPECT_NE(err.find("expected ')' at column " + std::to_string(sig.size() + 1)),
            std::string::npos)
      << err;
}

TEST(SignatureLimits, LongTypeNameIsClipped) {
  std::string sig = "int(" + std::string(100000, 'a') + ")";
  EXPECT_EQ(cbridge_call(reinterpret_cast<void*>(addOne), sig.c_str(), nullptr, nullptr),
            CBRIDGE_ERR_SIGNATURE);
  std::string err = cbridge_last_error();
  EXPECT_LE(err.size(), kMessageMax + kSignatureQuoteMax / 2);
  EXPECT_NE(err.find("unknown type 'aaaa"), std::string::npos) << err;
}

TEST(SignatureLimits, OtherMessagesQuoteBriefly) {
  std::string sig = "int(" + repeat("int, ", 20000) + "int)";
  EXPECT_EQ(cbridge_call(nullptr, sig.c_str(), nullptr, nullptr), CBRIDGE_ERR_ARGUMENT);
  EXPECT_LE(std::strlen(cbridge_last_error()), kMessageMax) << cbridge_last_error();
  EXPECT_NE(std::string(cbridge_last_error()).find("fn is NULL"), std::string::npos);

  try {
    cbridge::ForeignFunction f(reinterpret_cast<void*>(addOne), sig + ")");
    ADD_FAILURE() << "ForeignFunction accepted a bad signature";
  } catch (const cbridge::SignatureError& e) {
    EXPECT_LE(std::strlen(e.what()), kMessageMax);
  }
  try {
    cbridge::DynamicCallback cb("int(" + repeat("int, ", 20000) + "...)",
                                [](void*, void**) {});
    ADD_FAILURE() << "a variadic callback was accepted";
  } catch (const cbridge::SignatureError& e) {
    EXPECT_LE(std::strlen(e.what()), kMessageMax);
    EXPECT_NE(std::string(e.what()).find("cannot be variadic"), std::string::npos) << e.what();
  }
}

// "int(int" + i spaces + ")": as many distinct signatures as wanted, all
// of addOne's type.
std::string spaced(int i) { return "int(int" + std::string(size_t(i), ' ') + ")"; }

int callAddOne(const std::string& sig, int x) {
  int r = 0;
  void* args[] = {&x};
  EXPECT_EQ(cbridge_call(reinterpret_cast<void*>(addOne), sig.c_str(), &r, args), CBRIDGE_OK)
      << cbridge_last_error();
  return r;
}

TEST(SignatureLimits, CacheStaysWithinItsSize) {
  constexpr int kSize = CBRIDGE_SIGNATURE_CACHE_SIZE;
  const std::string hot = "int(int)";
  callAddOne(hot, 0);
  auto before = callCacheStats();
  auto localBefore = cbridge::bridge::localCallCacheStats();
  // Three cachefuls of new signatures, with the hot one used between them.
  for (int i = 1; i <= 3 * kSize; i++) {
    ASSERT_EQ(callAddOne(spaced(1000 + i), i), i + 1);
    ASSERT_EQ(callAddOne(hot, i), i + 1);
  }
  auto after = callCacheStats();
  auto localAfter = cbridge::bridge::localCallCacheStats();
  EXPECT_EQ(after.entries, size_t(kSize));
  EXPECT_EQ(after.misses - before.misses, uint64_t(3 * kSize));
  EXPECT_EQ(after.evictions - before.evictions, before.entries + 3 * kSize - kSize);
  // The hot one, every time, from this thread's own cache: the shared one
  // (its lock) is not asked.
  EXPECT_EQ(localAfter.hits - localBefore.hits, uint64_t(3 * kSize));
  EXPECT_EQ(after.hits - before.hits, 0u);
  EXPECT_LE(localAfter.entries, cbridge::bridge::kLocalCallCacheSize);
  // Recent ones beyond this thread's few are still in the shared cache; the
  // first ones are gone.
  callAddOne(spaced(1000 + 3 * kSize - 20), 0);
  callAddOne(spaced(1001), 0);
  auto last = callCacheStats();
  EXPECT_EQ(last.hits - after.hits, 1u);
  EXPECT_EQ(last.misses - after.misses, 1u);
}

// A call whose signature is evicted while it runs keeps its prepared call.
std::atomic<bool> entered{false};
std::atomic<bool> release{false};
extern "C" int blockThenAddOne(int x) {
  entered.store(true, std::memory_order_release);
  while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
  return x + 1;
}

TEST(SignatureLimits, EvictionLeavesACallInProgressAlone) {
  const std::string sig = "int( int )";
  int r = 0;
  std::thread caller([&] {
    int x = 41;
    void* args[] = {&x};
    EXPECT_EQ(cbridge_call(reinterpret_cast<void*>(blockThenAddOne), sig.c_str(), &r, args),
              CBRIDGE_OK);
  });
  while (!entered.load(std::memory_order_acquire)) std::this_thread::yield();
  auto before = callCacheStats();
  for (int i = 1; i <= CBRIDGE_SIGNATURE_CACHE_SIZE + 1; i++) callAddOne(spaced(5000 + i), i);
  EXPECT_GT(callCacheStats().evictions, before.evictions);
  release.store(true, std::memory_order_release);
  caller.join();
  EXPECT_EQ(r, 42);
}

}  // namespace
