// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG=cbcheck (callbacks/cbcheck.cpp): each misuse of
// testprogs/scenarios_cbcheck.cpp is fatal with a cbcheck message when
// checked, and (where running it unchecked is defined) goes unreported
// when not.
#include <gtest/gtest.h>

#include <string>

#include "tests/testprog_runner.hpp"

namespace {

const std::vector<std::string> kChecked = {"CBRIDGE_DEBUG=cbcheck"};

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Cbcheck, FreedInFlightIsFatal) {
  ChildResult r = runTestprog("CbcheckFreedInFlight", kChecked);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "fatal error: cbcheck: the callback at ")) << r.err;
  EXPECT_TRUE(has(r.err, "was freed while 1 call(s) of it were in flight")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Cbcheck, FreedInFlightUncheckedIsAllowed) {
  ChildResult r = runTestprog("CbcheckFreedInFlight");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "freed with a call in flight; the call returned\n");
  EXPECT_FALSE(has(r.err, "cbcheck")) << r.err;
}

// Unchecked, the quarantine holds the last 1024 closures only, and calling
// one freed 1100 frees earlier is undefined: not run.
TEST(Cbcheck, CalledAfterFreeIsFatal) {
  ChildResult r = runTestprog("CbcheckCalledAfterFree", kChecked);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_EQ(r.out, "calling the freed callback\n");
  EXPECT_TRUE(has(r.err, "fatal error: cbcheck: a freed callback was called")) << r.err;
}

TEST(Cbcheck, HandlerReturningWithMutexHeldIsFatal) {
  ChildResult r = runTestprog("CbcheckMutexHeld", kChecked);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "fatal error: cbcheck: a callback's handler returned to C on m")) << r.err;
  EXPECT_TRUE(has(r.err, "holding 0 runtime lock(s) and 1 cbridge::Mutex(es) it took")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Cbcheck, HandlerReturningWithMutexHeldUnchecked) {
  ChildResult r = runTestprog("CbcheckMutexHeld");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "the handler returned holding the Mutex: yes\n");
  EXPECT_FALSE(has(r.err, "cbcheck")) << r.err;
}

TEST(Cbcheck, HandlerReturningWithRuntimeLockHeldIsFatal) {
  ChildResult r = runTestprog("CbcheckRuntimeLockHeld", kChecked);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "holding 1 runtime lock(s) and 0 cbridge::Mutex(es) it took")) << r.err;
}

TEST(Cbcheck, CallbackAboveItsForeignCallIsFatal) {
  ChildResult r = runTestprog("CbcheckStackAboveForeignCall", kChecked);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "fatal error: cbcheck: a callback nested in a foreign call on m"))
      << r.err;
  EXPECT_TRUE(has(r.err, "above where that call entered C")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Cbcheck, CallbackAboveItsForeignCallUnchecked) {
  ChildResult r = runTestprog("CbcheckStackAboveForeignCall");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "callbacks from the coroutine: 1\n");
  EXPECT_FALSE(has(r.err, "cbcheck")) << r.err;
}

}  // namespace
