// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG in a process (runtime/debugvars.hpp): the testprog
// scenarios of testprogs/scenarios_debugvars.cpp.
#include <gtest/gtest.h>

#include <string>

#include "tests/testprog_runner.hpp"

namespace {

size_t countLines(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = 0; at < s.size();) {
    size_t end = s.find('\n', at);
    if (end == std::string::npos) end = s.size();
    if (s.substr(at, end - at).find(part) != std::string::npos) n++;
    at = end + 1;
  }
  return n;
}

// A bad item is said once, in one line naming it and the known keys, however
// many times tasks, callbacks and threads consult the keys; the good items
// still count.
TEST(DebugVars, UnknownDebugKey) {
  ChildResult r = runTestprog("DebugKeysConsulted", {"CBRIDGE_DEBUG=foo,shutdown"});
  EXPECT_EQ(r.out, "shutdown on in 9000 of 9000 looks\n") << r.err;
  EXPECT_EQ(r.err,
            "cbridge: CBRIDGE_DEBUG: unknown key \"foo\" ignored (known: schedtrace=MS, "
            "scheddetail, shutdown, callbacks, deadlock, cbcheck, asyncpreemptoff, preemptnolock, "
            "all)\n");
  EXPECT_EQ(r.exitCode, 0);
}

TEST(DebugVars, MalformedValueIsOneLine) {
  ChildResult r = runTestprog("DebugKeysConsulted", {"CBRIDGE_DEBUG=schedtrace=soon,shutdown=0"});
  EXPECT_EQ(r.out, "shutdown on in 0 of 9000 looks\n") << r.err;
  EXPECT_EQ(countLines(r.err, "cbridge:"), 1u) << r.err;
  EXPECT_NE(r.err.find("malformed value \"schedtrace=soon\" ignored (known: "), std::string::npos)
      << r.err;
}

}  // namespace
