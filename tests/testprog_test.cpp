// SPDX-License-Identifier: MIT
// The scenarios of testprogs/, run as child processes: their stdout and
// exit status are compared exactly, their stderr by the line that matters.
#include <gtest/gtest.h>

#include "tests/testprog_runner.hpp"

namespace {

TEST(Testprog, StackOverflowIsFatalWithTheTaskAndItsStack) {
  ChildResult r = runTestprog("StackOverflow");
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: stack overflow in task 1 (stack [0x"), std::string::npos) << r.err;
}

// A dump's walk of a task whose stack became inaccessible, as a stack
// freed under the walk is, faults: the fault ends that stack with a note,
// and the program goes on.
TEST(Testprog, DumpSurvivesAStackThatVanished) {
  ChildResult r = runTestprog("DumpOfAStackThatVanished");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("[chan receive, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\t(the stack changed while it was read)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("survived\n"), std::string::npos) << r.out;
}

TEST(Testprog, UncaughtExceptionInTaskIsFatal) {
  ChildResult r = runTestprog("UncaughtException");
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("fatal error: uncaught exception in task 1: boom"), std::string::npos) << r.err;
}

TEST(Testprog, ShutdownReportsBlockedTasksAndRefusesNewOnes) {
  ChildResult r = runTestprog("ShutdownBlocked");
  EXPECT_EQ(r.out, "shutdown returned\ngo after shutdown: refused\n");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.err.find("cbridge: shutdown with 3 task(s) not finished"), std::string::npos) << r.err;
  const std::string refused = "cbridge: go() after cbridge::shutdown(): the task was not started";
  size_t at = r.err.find(refused);
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(refused, at + 1), std::string::npos) << "said more than once:\n" << r.err;
}

TEST(Testprog, ExitWithBlockedTasksIsQuiet) {
  ChildResult r = runTestprog("ExitWithBlockedTasks");
  EXPECT_EQ(r.out, "exiting\n");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.err, "");
}

TEST(Testprog, ExitReportsBlockedTasksUnderDebug) {
  ChildResult r = runTestprog("ExitWithBlockedTasks", {"CBRIDGE_DEBUG=shutdown"});
  EXPECT_EQ(r.out, "exiting\n");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.err.find("cbridge: exit with 1 task(s) not finished"), std::string::npos) << r.err;
}

TEST(Testprog, UnlockOfUnlockedMutexIsFatal) {
  ChildResult r = runTestprog("MutexUnlockUnlocked");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("fatal error: sync: unlock of unlocked cbridge::Mutex"), std::string::npos);
}

TEST(Testprog, NegativeWaitGroupIsFatal) {
  ChildResult r = runTestprog("WaitGroupNegative");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("fatal error: sync: negative cbridge::WaitGroup counter"), std::string::npos);
}

TEST(Testprog, BadMaxprocsIsReportedAndIgnored) {
  ChildResult r = runTestprog("BadMaxprocs", {"CBRIDGE_MAXPROCS=lots"});
  EXPECT_EQ(r.out, "procs>0: yes\n");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.err.find("cbridge: CBRIDGE_MAXPROCS=\"lots\" is not a number in [1, 1024]"),
            std::string::npos)
      << r.err;
}

TEST(Testprog, SecondStartIsRefused) {
  ChildResult r = runTestprog("StartTwice");
  EXPECT_EQ(r.out, "first=1 second=0 procs=2\n");
  EXPECT_NE(r.err.find("cbridge: start: the runtime is already running"), std::string::npos);
}

TEST(Testprog, BlockingForeignCallHandsOffTheOnlyP) {
  ChildResult r = runTestprog("BlockingCallHandoff", {"CBRIDGE_MAXPROCS=1"});
  EXPECT_EQ(r.out, "procs=1\ntasks that ran during the blocking call: 100\nP retaken: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(Testprog, APingPongPairCannotStarveTheRunQueue) {
  ChildResult r = runTestprog("PingPongFairness", {"CBRIDGE_MAXPROCS=1"});
  EXPECT_EQ(r.out, "procs=1 third task ran while the pair ping-ponged: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(Testprog, UnknownNetpollSourceIsFatal) {
  ChildResult r = runTestprog("NetpollUnknownSource");
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2);
  // The backend's name, then the data: "(epoll data 0xdead0003", or io_uring's.
  EXPECT_NE(r.err.find("fatal error: netpoll: unknown event source ("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" data 0xdead0003, events 0x1)"), std::string::npos) << r.err;
}

// Where io_uring is refused (a seccomp filter here, as Docker's default
// profile has), the poller falls back to epoll and works: without a word
// by default, with one line when CBRIDGE_NETPOLL asked for io_uring.
TEST(Testprog, RefusedIoUringFallsBackToEpoll) {
  ChildResult quiet = runTestprog("NetpollUringRefused", {"CBRIDGE_NETPOLL="});
  EXPECT_EQ(quiet.out, "backend=epoll round trip ok\n") << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.exitCode, 0);
  ChildResult asked = runTestprog("NetpollUringRefused", {"CBRIDGE_NETPOLL=uring"});
  EXPECT_EQ(asked.out, "backend=epoll round trip ok\n") << asked.err;
  EXPECT_EQ(asked.err,
            "cbridge: CBRIDGE_NETPOLL=uring: io_uring cannot start in this process: using epoll\n");
  EXPECT_EQ(asked.exitCode, 0);
}

// The same for the I/O batch: off, and every socket call made directly;
// quietly by default, with one line when CBRIDGE_IOBATCH asked for it.
TEST(Testprog, RefusedIoUringTurnsTheBatchOff) {
  ChildResult quiet = runTestprog("IobatchUringRefused", {"CBRIDGE_IOBATCH=", "CBRIDGE_NETPOLL="});
  EXPECT_EQ(quiet.out, "iobatch=off echo ok\n") << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.exitCode, 0);
  ChildResult asked = runTestprog("IobatchUringRefused", {"CBRIDGE_IOBATCH=uring", "CBRIDGE_NETPOLL="});
  EXPECT_EQ(asked.out, "iobatch=off echo ok\n") << asked.err;
  EXPECT_EQ(asked.err,
            "cbridge: CBRIDGE_IOBATCH=uring: io_uring cannot start in this process (Operation not "
            "permitted): socket calls are made one by one\n");
  EXPECT_EQ(asked.exitCode, 0);
}

TEST(Testprog, AWriteRunsTheLocalReaderItReadiedNext) {
  ChildResult r = runTestprog("WriteReadiesLocalReaderNext", {"CBRIDGE_MAXPROCS=1"});
  EXPECT_EQ(r.out, "procs=1 order=RXXX\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(Testprog, ATaskParkedOnTheNetpollerWhileAnMWaitsForATimerIsPolled) {
  ChildResult r = runTestprog("ParkedWhileTimerWaits");
  EXPECT_EQ(r.out, "the task parked on the pipe woke: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(Testprog, UnknownScenarioIsAUsageError) {
  ChildResult r = runTestprog("NoSuchScenario");
  EXPECT_EQ(r.exitCode, 64);
  EXPECT_NE(r.err.find("usage: testprog NAME"), std::string::npos);
}

}  // namespace
