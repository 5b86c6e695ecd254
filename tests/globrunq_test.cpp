// SPDX-License-Identifier: MIT
// The global run queue is not starved (#12.2): tasks queued there by run()
// from main, a plain thread's send, a foreign call's return, a C thread's
// callback, or yield() get a P within a bounded number of schedules while
// both Ps are busy. Each scenario runs as a child with two Ps and prints
// what it measured in work, never time (testprogs/scenarios_globrunq.cpp).
#include <gtest/gtest.h>

#include "tests/testprog_runner.hpp"

namespace {

const std::vector<std::string> kTwoPs = {"CBRIDGE_MAXPROCS=2"};

// expectNotStarved runs a scenario whose task reached the global queue
// (`what`) and checks it waited at most 10,000 schedules (see kMaxWait in
// the scenarios: millions before #12.2).
void expectNotStarved(const char* scenario, const std::string& what) {
  ChildResult r = runTestprog(scenario, kTwoPs);
  EXPECT_EQ(r.out, what + ": queued globally: yes, waited at most 10000 schedules: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(GlobalQueue, RunFromMainIsNotStarvedByPingPongPairs) {
  expectNotStarved("GlobrunqRunFromMain", "run from main");
}

TEST(GlobalQueue, TaskWokenByAThreadsSendIsNotStarved) {
  expectNotStarved("GlobrunqThreadSend", "woken by a thread's send");
}

TEST(GlobalQueue, TaskBackFromAForeignCallIsNotStarved) {
  expectNotStarved("GlobrunqForeignCallReturn", "back from a foreign call");
}

TEST(GlobalQueue, CThreadsCallbackIsNotStarved) {
  expectNotStarved("GlobrunqThreadCallback", "a C thread's callback");
}

TEST(GlobalQueue, CallbackLoopsGiveTheirPsUpToAWaitingTask) {
  ChildResult r = runTestprog("GlobrunqCallbackLoops", kTwoPs);
  EXPECT_EQ(r.out, "a task between callback loops: started within 100000 callbacks: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(GlobalQueue, YieldingTasksGetFairShares) {
  ChildResult r = runTestprog("YieldFairness", kTwoPs);
  EXPECT_EQ(r.out, "5 yielding tasks on 2 Ps: max/min within 1.4: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

}  // namespace
