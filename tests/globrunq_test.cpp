// The global run queue is not starved (#12.2): tasks queued there by run()
// from main, a plain thread's send, a foreign call's return, a C thread's
// callback, or yield() get a P within a bounded number of schedules while
// both Ps are busy. Each scenario runs as a child with two Ps and prints
// what it measured in work, never time (testprogs/scenarios_globrunq.cpp).
#include <gtest/gtest.h>

#include "tests/testprog_runner.hpp"

namespace {

const std::vector<std::string> kTwoPs = {"CBRIDGE_MAXPROCS=2"};

TEST(GlobalQueue, RunFromMainIsNotStarvedByPingPongPairs) {
  ChildResult r = runTestprog("GlobrunqRunFromMain", kTwoPs);
  EXPECT_EQ(r.out, "run from main: queued globally: yes, waited at most 138 schedules: yes\n")
      << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(GlobalQueue, TaskWokenByAThreadsSendIsNotStarved) {
  ChildResult r = runTestprog("GlobrunqThreadSend", kTwoPs);
  EXPECT_EQ(r.out,
            "woken by a thread's send: queued globally: yes, waited at most 138 schedules: yes\n")
      << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(GlobalQueue, TaskBackFromAForeignCallIsNotStarved) {
  ChildResult r = runTestprog("GlobrunqForeignCallReturn", kTwoPs);
  EXPECT_EQ(r.out,
            "back from a foreign call: queued globally: yes, waited at most 138 schedules: yes\n")
      << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(GlobalQueue, CThreadsCallbackIsNotStarved) {
  ChildResult r = runTestprog("GlobrunqThreadCallback", kTwoPs);
  EXPECT_EQ(r.out,
            "a C thread's callback: queued globally: yes, waited at most 138 schedules: yes\n")
      << r.err;
  EXPECT_EQ(r.exitCode, 0);
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
