// SPDX-License-Identifier: MIT
// runTestprog on POSIX systems: posix_spawn with the child's stdout and
// stderr on two pipes, read under poll until both close, SIGKILL at the
// timeout.
#include "tests/testprog_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stdexcept>

extern char** environ;

ChildResult runTestprog(const std::string& scenario, const std::vector<std::string>& env,
                        int timeoutMs) {
  int outp[2], errp[2];
  if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
  posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
  std::vector<std::string> envs;
  // The scenario's entries replace inherited ones of the same name (ctest
  // runs some tests with CBRIDGE_NETPOLL set; a scenario may set its own).
  auto overridden = [&](const std::string& entry) {
    for (const auto& e : env)
      if (e.substr(0, e.find('=') + 1) == entry.substr(0, entry.find('=') + 1)) return true;
    return false;
  };
  for (char** e = environ; *e != nullptr; e++)
    if (!overridden(*e)) envs.emplace_back(*e);
  for (const auto& e : env) envs.push_back(e);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string path = TESTPROG_PATH;
  std::vector<char*> argv{path.data(), const_cast<char*>(scenario.c_str()), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, path.c_str(), &fa, nullptr, argv.data(), envp.data()) != 0)
    throw std::runtime_error("cannot spawn " + path);
  posix_spawn_file_actions_destroy(&fa);
  close(outp[1]);
  close(errp[1]);
  ChildResult r;
  pollfd fds[2] = {{outp[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
  int open = 2;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (open > 0) {
    int wait = -1;
    if (timeoutMs >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0 && !r.timedOut) {
        kill(pid, SIGKILL);  // its pipes close when it is gone
        r.timedOut = true;
      }
      wait = left <= 0 ? -1 : int(left);
    }
    if (poll(fds, 2, wait) < 0) continue;
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open--;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buf, size_t(n));
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    r.exitCode = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    r.signal = WTERMSIG(status);
  return r;
}
