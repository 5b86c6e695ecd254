// SPDX-License-Identifier: MIT
// What a user sees when something goes wrong (issue 17), from
// testprogs/scenarios_observe.cpp run as child processes (of the shared
// library on Linux, testprog_shared; of libcbridge.a on Windows,
// testprog.exe): tracebacks of fatal errors, faults, the deadlock report.
// Portable: where Windows' outcome differs, the test expects Windows'
// there. The dump on SIGQUIT is testprog_observe_unix_test.cpp's: Windows
// has no SIGQUIT, nor does Go dump there (its console's Ctrl+Break
// arrives as SIGINT).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#ifndef _WIN32
#include <csignal>  // SIGABRT, SIGSEGV: the deaths Linux reports (ChildResult::signal)
#endif

#include "tests/testprog_runner.hpp"

namespace {

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// The hex number right after the first key in s at or after from (0 if
// there is none).
unsigned long long hexAfter(const std::string& s, const std::string& key, size_t from = 0) {
  size_t at = s.find(key, from);
  if (at == std::string::npos) return 0;
  return std::strtoull(s.c_str() + at + key.size(), nullptr, 16);
}

#ifdef _WIN32
// On Windows a process ended by an exception exits with the exception's
// code, which ChildResult::exitCode holds as an int (negative).
// STATUS_FAIL_FAST_EXCEPTION: the runtime's coredump() for
// CBRIDGE_TRACEBACK=crash raises a fail-fast exception
// (RaiseFailFastException, runtime/os_windows.cpp), which no handler
// sees; the process ends with its code, as SIGABRT's default action ends
// a Linux one.
constexpr int kFailFastExit = int(0xC0000602u);
// STATUS_ACCESS_VIOLATION: a fault no handler took (see
// SegfaultInForeignCodeIsNotOurs).
constexpr int kAccessViolationExit = int(0xC0000005u);
#endif

TEST(Observe, FatalPrintsTraceback) {
  ChildResult r = runTestprog("FatalPrintsTraceback", {}, 60000);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "fatal error: uncaught exception in task 2: boom\n")) << r.err;
  EXPECT_TRUE(has(r.err, "task 2 [running on m")) << r.err;
  EXPECT_TRUE(has(r.err, "fatalPrintsTraceback")) << r.err;  // where it was created
  // Only the failing task: the parked one is for CBRIDGE_TRACEBACK=all.
  EXPECT_FALSE(has(r.err, "[chan receive")) << r.err;
}

TEST(Observe, FatalWithTracebackAllPrintsEveryTaskAndM) {
  ChildResult r = runTestprog("FatalPrintsTraceback", {"CBRIDGE_TRACEBACK=all"}, 60000);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "task 1 [chan receive, ")) << r.err;
  EXPECT_TRUE(has(r.err, "observeChanReceive")) << r.err;
  EXPECT_TRUE(has(r.err, ", made by the runtime")) << r.err;
}

TEST(Observe, FatalWithTracebackNoneIsOneLine) {
  ChildResult r = runTestprog("FatalPrintsTraceback", {"CBRIDGE_TRACEBACK=none"}, 60000);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_EQ(r.err, "fatal error: uncaught exception in task 2: boom\n");
}

TEST(Observe, FatalWithTracebackCrashAborts) {
  ChildResult r = runTestprog("FatalPrintsTraceback", {"CBRIDGE_TRACEBACK=crash"}, 60000);
#ifdef _WIN32
  EXPECT_EQ(r.exitCode, kFailFastExit) << r.err;
#else
  EXPECT_EQ(r.signal, SIGABRT) << r.err;
#endif
  EXPECT_TRUE(has(r.err, "task 1 [chan receive, ")) << r.err;
}

TEST(Observe, UnknownTracebackLevelIsSaidOnce) {
  ChildResult r = runTestprog("FatalPrintsTraceback", {"CBRIDGE_TRACEBACK=loud"}, 60000);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  const std::string said = "cbridge: CBRIDGE_TRACEBACK=loud is not a traceback level";
  ASSERT_TRUE(has(r.err, said)) << r.err;
  EXPECT_EQ(r.err.find(said, r.err.find(said) + 1), std::string::npos) << r.err;
}

TEST(Observe, SegfaultInTaskIsReported) {
  ChildResult r = runTestprog("SegfaultInTask", {}, 60000);
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2) << r.err;
#ifdef _WIN32
  // runtime/signal_windows.cpp's wording, Go's on Windows.
  EXPECT_TRUE(has(r.err, "fatal error: unexpected signal: Exception 0xc0000005 (access violation) at "
                         "address 0x0 (pc=0x"))
      << r.err;
#else
  EXPECT_TRUE(has(r.err, "fatal error: unexpected signal: SIGSEGV: segmentation violation at "
                         "address 0x0 (pc=0x"))
      << r.err;
#endif
  EXPECT_TRUE(has(r.err, "task 1 [running on m")) << r.err;
  size_t frame = r.err.find("observeNullWrite");
  ASSERT_NE(frame, std::string::npos) << r.err;
  // The fault's pc in full, as the faulting frame shows it: the same
  // address, or on Linux one past it (frames there print pc+1 for a
  // signal's frame). Win64's long is 32 bits: the report once cut the
  // top half off there.
  unsigned long long faultPc = hexAfter(r.err, "(pc=0x");
  unsigned long long framePc = hexAfter(r.err, " pc=0x", frame);
  EXPECT_NE(faultPc, 0u) << r.err;
  EXPECT_TRUE(framePc == faultPc || framePc == faultPc + 1) << r.err;
}

TEST(Observe, DivideByZeroInTaskIsReported) {
  ChildResult r = runTestprog("DivideByZeroInTask", {}, 60000);
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2) << r.err;
#ifdef _WIN32
  EXPECT_TRUE(has(r.err, "fatal error: unexpected signal: Exception 0xc0000094 (integer divide by zero)"))
      << r.err;
#else
  EXPECT_TRUE(has(r.err, "fatal error: unexpected signal: SIGFPE: floating-point exception")) << r.err;
#endif
  EXPECT_TRUE(has(r.err, "observeDivide")) << r.err;
}

// The same fault in C code called from a task is not the runtime's: it
// goes to the handler that was there before cbridge's, or to the default
// action, which kills the process with SIGSEGV. In the sanitizer builds
// that handler is the sanitizer's, which reports the SEGV itself. On
// Windows the runtime's vectored handler passes it on, no frame's handler
// takes it, nor the process's unhandled-exception filter (mingw-w64's C
// runtime's, for a SIGSEGV handler there is none of), and the OS ends the
// process with the exception's code as its exit status, 0xC0000005
// (scripts/test-windows registers no debugger for Wine to start).
TEST(Observe, SegfaultInForeignCodeIsNotOurs) {
  ChildResult r = runTestprog("SegfaultInForeignCode", {}, 60000);
  EXPECT_EQ(r.out, "start\n");
#ifdef _WIN32
  EXPECT_EQ(r.exitCode, kAccessViolationExit) << r.err;
#else
  EXPECT_TRUE(r.signal == SIGSEGV || has(r.err, "Sanitizer: SEGV on unknown address")) << r.err;
#endif
  EXPECT_FALSE(has(r.err, "fatal error")) << r.err;
}

// A C++ exception thrown out of a foreign call would unwind into frames
// the call never returns to (the task's, on Linux, which would catch it
// with its M still in syscall state): it is a fatal error at the call.
TEST(Observe, ThrowOutOfForeignCallIsFatal) {
  ChildResult r = runTestprog("ThrowOutOfForeignCall", {}, 60000);
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "fatal error: C++ exception thrown out of a foreign call")) << r.err;
}

TEST(Observe, DeadlockIsReported) {
#if defined(CBRIDGE_TSAN_BUILD)
  GTEST_SKIP() << "ThreadSanitizer's own thread is one checkdead cannot account for: it "
                  "reports no deadlock then, as with any unknown thread";
#endif
  ChildResult r = runTestprog("DeadlockIsReported", {}, 60000);
  EXPECT_EQ(r.out, "start\n");
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "fatal error: all tasks are asleep - deadlock!\n")) << r.err;
  // With the dump: both tasks, and what they wait for.
  EXPECT_TRUE(has(r.err, "task 1 [chan receive, ")) << r.err;
  EXPECT_TRUE(has(r.err, "task 2 [chan receive, ")) << r.err;
  EXPECT_TRUE(has(r.err, "observeChanReceive")) << r.err;
}

// A thread outside the runtime that will wake the tasks, with a callback
// alive or without one: all tasks sleep for 300 ms and no report is made.
TEST(Observe, NoDeadlockWhileCThreadsMayCall) {
  for (const char* scenario : {"NoDeadlockWhileCThreadCallsBack", "NoDeadlockWhileCThreadSends"}) {
    ChildResult r = runTestprog(scenario, {}, 60000);
    EXPECT_EQ(r.out, "received 1\n") << scenario;
    EXPECT_EQ(r.exitCode, 0) << scenario << ": " << r.err;
    EXPECT_EQ(r.err, "") << scenario;
  }
}

}  // namespace
