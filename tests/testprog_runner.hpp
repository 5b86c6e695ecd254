// SPDX-License-Identifier: MIT
// Runs `testprog NAME` as a child process and captures what it printed.
// One implementation per OS: testprog_runner_unix.cpp (posix_spawn) and
// testprog_runner_windows.cpp (CreateProcess).
#pragma once

#include <string>
#include <vector>

struct ChildResult {
  // -1 if it died by a signal or was killed at the timeout. On Windows a
  // process ended by an unhandled exception exits with the exception's
  // code (0xC0000005 for an access violation, as a negative int).
  int exitCode = -1;
  // The signal that killed it. Never set on Windows, which has no
  // signals: there a death shows in exitCode.
  int signal = 0;
  // On Windows, read as a text-mode stream: the child's CRLF line ends
  // are LF, as on Linux.
  std::string out;
  std::string err;
  bool timedOut = false;  // killed (SIGKILL, TerminateProcess) after timeoutMs
};

// runTestprog runs the testprog scenario with extra environment entries
// ("NAME=value") and returns its exit status, stdout and stderr. With
// timeoutMs >= 0 a child still running after that long is killed.
ChildResult runTestprog(const std::string& scenario, const std::vector<std::string>& env = {},
                        int timeoutMs = -1);
