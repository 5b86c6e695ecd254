// SPDX-License-Identifier: MIT
// The callback and stack-switch scenarios of testprogs/, run as child
// processes. Built twice: against the static library (cbridge_tests) and,
// as users build, against the shared one with lazy binding
// (cbridge_shared_tests, whose testprog_shared links libcbridge.so).
#include <gtest/gtest.h>

#include "tests/testprog_runner.hpp"

namespace {

TEST(Testprog, CallbackHandlerThrowingIsFatalByDefault) {
  ChildResult r = runTestprog("CallbackThrows");
  EXPECT_EQ(r.out, "calling\n");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("fatal error: callback handler threw: handler failed"), std::string::npos)
      << r.err;
}

TEST(Testprog, CallbackAfterShutdownReturnsZeroWithAMessage) {
  ChildResult r = runTestprog("CallbackAfterShutdown");
  EXPECT_EQ(r.out, "before: 2\nafter: 0\nafter: 0\nafter: 0\n");
  EXPECT_EQ(r.exitCode, 0);
  const std::string line =
      "cbridge: a callback was called after cbridge::shutdown(); its handler did not run and its "
      "caller got a zero result";
  size_t at = r.err.find(line);
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(line, at + 1), std::string::npos) << "said more than once:\n" << r.err;
}

TEST(Testprog, CallbackDestroyedInFlightFinishesTheCall) {
  ChildResult r = runTestprog("CallbackDestroyedInFlight");
  EXPECT_EQ(r.out, "result: 42\n");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.err.find("cbridge: a callback was freed while a call of it was in flight"),
            std::string::npos)
      << r.err;
}

// The stack-switching scenarios: a callback's handler does runtime work on
// g0 (a task, a timer, a channel, a foreign call) from every stack.
class StackSwitch : public ::testing::TestWithParam<const char*> {};

TEST_P(StackSwitch, CallbacksWorkOnEveryStack) {
  ChildResult r = runTestprog(GetParam());
  if (r.out == "SKIP\n") GTEST_SKIP() << GetParam() << " cannot run here: " << r.err;
  EXPECT_EQ(r.out, "OK\n") << r.err;
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Testprog, StackSwitch,
                         ::testing::Values("StackSwitchCallback", "StackSwitchBoostContext",
                                           "StackSwitchBoostFiber", "StackSwitchManyCoroutines"));

TEST(Testprog, StackSwitchUnderManagedFramesIsFatal) {
  ChildResult r = runTestprog("StackSwitchUnderManagedFrames");
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("fatal error: cgocallback with sp=0x"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" out of bounds [0x"), std::string::npos) << r.err;
}

}  // namespace
