// SPDX-License-Identifier: MIT
// The execution trace (CBRIDGE_TRACE, trace_start/trace_stop) and
// scripts/trace-summary, on traces the testprog scenarios of
// testprogs/scenarios_trace.cpp record; tests/trace_check.py reads them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include "tests/testprog_runner.hpp"

namespace {

// A trace file in the test's temporary directory, removed afterwards.
struct TempFile {
  std::string path;
  explicit TempFile(const char* name) {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/cbridge-" +
           std::to_string(getpid()) + "-" + name;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

// values reads "name value" lines.
std::map<std::string, std::string> values(const std::string& out) {
  std::map<std::string, std::string> v;
  std::istringstream in(out);
  std::string k, x;
  while (in >> k >> x) v[k] = x;
  return v;
}

struct Shell {
  int status;
  std::string out;
};

Shell shell(const std::string& cmd) {
  Shell r{-1, ""};
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  r.status = pclose(p);
  return r;
}

Shell check(const std::string& file, const std::string& args) {
  return shell("python3 " CBRIDGE_SOURCE_DIR "/tests/trace_check.py " + file + " " + args);
}

// A program's trace from the runtime's start: every kind of event, each
// slice closed, every park ended by an unpark (or still parked, for the
// tasks that never finished), and the counts the runtime kept.
TEST(Trace, TraceEventsBalance) {
  TempFile trace("events.json");
  ChildResult r = runTestprog("TraceEvents", {"CBRIDGE_TRACE=" + trace.path, "CBRIDGE_MAXPROCS=2"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  auto v = values(r.out);
  long extra = std::stol(v["extra_ms"]);
  long live = std::stol(v["tasks_live"]);
  std::string args = "--from-start --c-thread " + v["c_thread"] +
                     " --eq creates=" + std::to_string(std::stol(v["tasks_created"]) + extra) +
                     " --eq tasks_without_end=" + std::to_string(live + extra) +
                     " --eq foreign_calls=" + v["foreign_calls"] +
                     " --eq callbacks_from_c_thread=" + v["callbacks"] +
                     " --eq m_tracks_named_for_c_thread=1" +
                     " --eq retakes=" + v["retakes"] + " --eq preempted=" + v["preemptions"] +
                     " --ge preempted=1 --ge netpoll_wait=1 --ge netpoll_ready=1 --ge parks_on_fd=1"
                     " --eq parks_sleep=3 --ge parks_IO_wait=1 --ge parks_wait_group=1"
                     " --ge parks_chan=3 --ge parks=7 --ge stack_bounds=1";
  Shell c = check(trace.path, args);
  EXPECT_EQ(c.status, 0) << c.out << "\nprogram:\n" << r.out << r.err;
}

// trace_start and trace_stop while tasks run: their results, a task
// parked before the start shown woken in the trace, and a second trace
// through the C API holding just what ran in it.
TEST(Trace, StartStopByApi) {
  TempFile a("api-a.json"), b("api-b.json");
  ChildResult r = runTestprog("TraceApi", {"TRACE_A=" + a.path, "TRACE_B=" + b.path});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  auto v = values(r.out);
  EXPECT_EQ(v["start"], "0") << r.out;
  EXPECT_EQ(v["start_again_busy"], "1") << r.out;
  EXPECT_EQ(v["stop"], "0") << r.out;
  EXPECT_EQ(v["stop_again"], "0") << r.out;
  EXPECT_EQ(v["missing_dir_enoent"], "1") << r.out;
  EXPECT_EQ(v["c_start"], "0") << r.out;
  EXPECT_EQ(v["c_stop"], "0") << r.out;
  Shell ca = check(a.path, "--c-thread " + v["c_thread"] + " --eq callbacks_from_c_thread=" +
                             v["callbacks"] + " --ge unpark=1 --ge foreign_calls=" + v["foreign_calls"]);
  EXPECT_EQ(ca.status, 0) << ca.out;
  Shell cb = check(b.path, "--eq foreign_calls=10 --eq callbacks_from_c_thread=0");
  EXPECT_EQ(cb.status, 0) << cb.out;
}

// scripts/trace-summary on a program's trace: the wait reasons and the
// longest foreign calls, of which the first lasted at least the 60 ms of
// the longest the program made.
TEST(Trace, SummaryScript) {
  TempFile trace("summary.json");
  ChildResult r = runTestprog("TraceEvents", {"CBRIDGE_TRACE=" + trace.path, "CBRIDGE_MAXPROCS=2"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  Shell s = shell(CBRIDGE_SOURCE_DIR "/scripts/trace-summary " + trace.path);
  ASSERT_EQ(s.status, 0) << s.out;
  EXPECT_NE(s.out.find("Top wait reasons"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("IO wait"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("sleep"), std::string::npos) << s.out;
  size_t longest = s.out.find("Longest foreign calls");
  ASSERT_NE(longest, std::string::npos) << s.out;
  std::istringstream rest(s.out.substr(longest));
  std::string header, columns, first;
  std::getline(rest, header);
  std::getline(rest, columns);
  std::getline(rest, first);
  std::istringstream f(first);
  std::string task;
  double ms = 0;
  f >> task >> ms;
  EXPECT_GE(ms, 60.0) << s.out;
  EXPECT_EQ(task.rfind("G", 0), 0u) << s.out;
}

}  // namespace
