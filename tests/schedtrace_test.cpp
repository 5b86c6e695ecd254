// SPDX-License-Identifier: MIT
// CBRIDGE_DEBUG=schedtrace and scheddetail (runtime/schedtrace.cpp): the
// lines testprogs/scenarios_schedtrace.cpp captured, parsed field by field.
// Counts and values, no timings.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testprog_runner.hpp"

namespace {

// traced is what SchedtraceState printed to stdout after its marker, by
// line.
std::vector<std::string> traced(const ChildResult& r) {
  std::vector<std::string> lines;
  size_t at = r.out.find("--- traced ---\n");
  if (at == std::string::npos) return lines;
  std::istringstream in(r.out.substr(at + 15));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

const std::regex kSched(
    "SCHED (\\d+)ms: gomaxprocs=(\\d+) idleprocs=(\\d+) runningprocs=(\\d+) syscallprocs=(\\d+) "
    "threads=(\\d+) idlethreads=(\\d+) spinningthreads=(\\d+) extram=(\\d+) cachedm=(\\d+) "
    "tasks=(\\d+) callbacks/s=(\\d+) foreigncalls=(\\d+) netpollwaiters=(\\d+) runqueue=(\\d+) "
    "\\[(\\d+) (\\d+)\\]");

// Three SCHED lines, each with every field, taken while a task is parked,
// one is in a foreign call and a C thread calls a callback (on its cached
// extra M) over and over.
TEST(Schedtrace, SchedtracePrintsFields) {
  ChildResult r =
      runTestprog("SchedtraceState", {"CBRIDGE_MAXPROCS=2", "CBRIDGE_DEBUG=schedtrace=20"}, 60000);
  ASSERT_FALSE(r.timedOut) << "no SCHED lines";
  std::vector<std::string> lines = traced(r);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  uint64_t callbacksSeen = 0;
  for (const std::string& l : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, kSched)) << l;
    auto field = [&m](int i) { return std::stoull(m[i].str()); };
    EXPECT_EQ(field(2), 2u) << l;                        // gomaxprocs
    EXPECT_EQ(field(3) + field(4) + field(5), 2u) << l;  // every P counted once
    EXPECT_GE(field(6), 2u) << l;                        // threads: runtime, extra
    EXPECT_GE(field(10), 1u) << l;                       // the C thread's cached M
    EXPECT_GE(field(11), 2u) << l;                       // parked and foreign tasks
    EXPECT_GE(field(13), 1u) << l;                       // the foreign call
    callbacksSeen += field(12);
  }
  EXPECT_GT(callbacksSeen, 0u) << r.err;
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

// scheddetail: after each SCHED line, a line per P, then per M (the C
// thread's extra M among them), then per live task (the parked one waiting,
// the one in C in syscall state).
TEST(Schedtrace, ScheddetailPrintsEveryPMAndTask) {
  ChildResult r =
      runTestprog("SchedtraceState",
                  {"CBRIDGE_MAXPROCS=2", "CBRIDGE_DEBUG=schedtrace=20,scheddetail=1"}, 60000);
  ASSERT_FALSE(r.timedOut) << "no SCHED lines";
  std::vector<std::string> lines = traced(r);
  const std::regex p(
      "  P(\\d+): status=(idle|running|syscall) schedtick=\\d+ syscalltick=\\d+ "
      "m=-?\\d+ runqsize=\\d+ runnext=\\d+ gfreecnt=\\d+");
  const std::regex m(
      "  M(\\d+): p=-?\\d+ curg=-?\\d+ spinning=(true|false) lockedg=-?\\d+ "
      "extra=(true|false) ncgo=\\d+ callbacks=\\d+ incallback=\\d+");
  const std::regex g(
      "  G(\\d+): status=(runnable|running|waiting|syscall) m=-?\\d+ lockedm=-?\\d+");
  int blocks = 0;
  for (size_t i = 0; i < lines.size();) {
    ASSERT_TRUE(std::regex_match(lines[i], kSched)) << lines[i];
    blocks++;
    i++;
    int ps = 0, ms = 0, extra = 0, waiting = 0, syscall = 0;
    std::smatch sm;
    for (; i < lines.size() && std::regex_match(lines[i], sm, p); i++)
      EXPECT_EQ(sm[1].str(), std::to_string(ps++)) << lines[i];
    for (; i < lines.size() && std::regex_match(lines[i], sm, m); i++, ms++)
      extra += sm[3].str() == "true";
    for (; i < lines.size() && std::regex_match(lines[i], sm, g); i++) {
      waiting += sm[2].str() == "waiting";
      syscall += sm[2].str() == "syscall";
    }
    EXPECT_EQ(ps, 2) << r.out;
    EXPECT_GE(ms, 2) << r.out;
    EXPECT_GE(extra, 1) << r.out;
    EXPECT_GE(waiting, 1) << r.out;
    EXPECT_GE(syscall, 1) << r.out;
  }
  EXPECT_EQ(blocks, 3) << r.out;
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

}  // namespace
