// SPDX-License-Identifier: MIT
// Runs `testprog NAME` as a child process and captures what it printed.
#pragma once

#include <string>
#include <vector>

struct ChildResult {
  int exitCode = -1;  // -1 if it died by a signal
  int signal = 0;
  std::string out;
  std::string err;
  bool timedOut = false;  // killed (SIGKILL) after timeoutMs
};

// runTestprog runs the testprog scenario with extra environment entries
// ("NAME=value") and returns its exit status, stdout and stderr. With
// timeoutMs >= 0 a child still running after that long is killed.
ChildResult runTestprog(const std::string& scenario, const std::vector<std::string>& env = {},
                        int timeoutMs = -1);
