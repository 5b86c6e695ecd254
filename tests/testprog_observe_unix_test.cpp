// SPDX-License-Identifier: MIT
// The task dump on SIGQUIT (issue 17), from
// testprogs/scenarios_observe_unix.cpp run as child processes of the
// shared library; the portable half is testprog_observe_test.cpp. Unix
// only: Windows has no SIGQUIT, and Go prints no such dump there (its
// console's Ctrl+Break is delivered as SIGINT).
#include <gtest/gtest.h>

#include <string>

#include "tests/testprog_runner.hpp"

namespace {

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST(Observe, QuitPrintsEveryTask) {
  ChildResult r = runTestprog("QuitPrintsEveryTask", {}, 60000);
  EXPECT_EQ(r.out, "dumping\n");
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_TRUE(has(r.err, "SIGQUIT: quit\n")) << r.err;
  // Each state, with how long the task has waited, and the function it
  // blocked in.
  for (const char* want :
       {"[chan receive, ", "observeChanReceive", "[sleep until now+", "[select, ", "observeSelect",
        "[IO wait on fd ", " read, ", "[in foreign call, ", "observeForeignCall", "[wait group, ",
        "[mutex lock, "})
    EXPECT_TRUE(has(r.err, want)) << "no \"" << want << "\" in:\n" << r.err;
  // Where each task was made, and the Ms.
  EXPECT_TRUE(has(r.err, "created from a thread by ")) << r.err;
  EXPECT_TRUE(has(r.err, "quitPrintsEveryTask")) << r.err;
  EXPECT_TRUE(has(r.err, ", made by the runtime")) << r.err;
  EXPECT_TRUE(has(r.err, ") exact\n")) << r.err;
  // The C thread that called back holds an extra M, whose G waits for
  // its next callback.
  EXPECT_TRUE(has(r.err, ": extra, bound to C thread ")) << r.err;
  EXPECT_TRUE(has(r.err, ", between callbacks]:")) << r.err;
}

TEST(Observe, QuitWithTracebackNonePrintsNoStacks) {
  ChildResult r = runTestprog("QuitPrintsEveryTask", {"CBRIDGE_TRACEBACK=none"}, 60000);
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_EQ(r.err, "SIGQUIT: quit\n");
}

// The host's own SIGQUIT handler, installed first, keeps the signal; it
// gets the same dump from cbridge_dump.
TEST(Observe, HostQuitHandlerCallsDump) {
  ChildResult r = runTestprog("HostQuitHandlerCallsDump", {}, 60000);
  EXPECT_EQ(r.exitCode, 3) << r.err;
  EXPECT_EQ(r.err.rfind("host handler\n", 0), 0u) << r.err;
  EXPECT_FALSE(has(r.err, "SIGQUIT: quit")) << r.err;
  EXPECT_TRUE(has(r.err, "task 1 [chan receive, ")) << r.err;
  EXPECT_TRUE(has(r.err, "observeChanReceive")) << r.err;
}

}  // namespace
