// SPDX-License-Identifier: MIT
// Preemption (#13): the testprog scenarios of testprogs/scenarios_preempt.cpp,
// run as children of this test against libcbridge.so. Each checks counts
// (ticks, EINTRs, preemptions, exit statuses), never timings.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "tests/testprog_runner.hpp"
#include "tests/tsan_limits.hpp"

namespace {

using cbridge_test::kNoAsyncPreemptUnderTsan;
constexpr bool kThreadSanitizer = cbridge_test::kTsanBuild;

const std::vector<std::string> kOneP = {"CBRIDGE_MAXPROCS=1"};
// Every millisecond, on two Ps: thousands of preemptions per second.
const std::vector<std::string> kFast = {"CBRIDGE_MAXPROCS=2", "CBRIDGE_FORCE_PREEMPT_NS=1000000"};

std::vector<std::string> with(std::vector<std::string> env, const std::string& more) {
  env.push_back(more);
  return env;
}

TEST(Preempt, TightLoopIsPreempted) {
  if (kThreadSanitizer) GTEST_SKIP() << kNoAsyncPreemptUnderTsan;
  ChildResult r = runTestprog("TightLoopIsPreempted", kOneP);
  EXPECT_EQ(r.out, "tight loop in a region: the ticker ran at least once per 50 ms: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

// Without the signal the loop keeps the only P: the ticker does not run
// while it spins (so the test above can fail).
TEST(Preempt, TightLoopIsNotPreemptedWithAsyncPreemptOff) {
  ChildResult r = runTestprog("TightLoopIsPreempted", with(kOneP, "CBRIDGE_ASYNCPREEMPT=0"));
  EXPECT_EQ(r.out, "tight loop in a region: the ticker ran at least once per 50 ms: no\n") << r.err;
  EXPECT_NE(r.err.find(": 0 ticks in"), std::string::npos) << r.err;
}

// CBRIDGE_DEBUG=asyncpreemptoff is the same switch under GODEBUG's name.
TEST(Preempt, TightLoopIsNotPreemptedWithDebugAsyncPreemptOff) {
  ChildResult r = runTestprog("TightLoopIsPreempted", with(kOneP, "CBRIDGE_DEBUG=asyncpreemptoff"));
  EXPECT_EQ(r.out, "tight loop in a region: the ticker ran at least once per 50 ms: no\n") << r.err;
  EXPECT_NE(r.err.find(": 0 ticks in"), std::string::npos) << r.err;
}

TEST(Preempt, CooperativeLoopIsPreempted) {
  ChildResult r = runTestprog("CooperativeLoopIsPreempted", kOneP);
  EXPECT_EQ(r.out, "loop calling checkpoint: the ticker ran at least once per 50 ms: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

TEST(Preempt, NoEINTRInForeignCode) {
  ChildResult r = runTestprog("NoEINTRInForeignCode", kFast);
  std::string preempted = kThreadSanitizer ? "no" : "yes";
  EXPECT_EQ(r.out, "10000 reads in foreign code: yes; tasks preempted meanwhile: " + preempted +
                       "; EINTR or short sleeps: none\n")
      << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

// A preemptor that signals Ms in foreign code (the test-only switch): the
// foreign code sees EINTR and short sleeps, so the test above can fail.
TEST(Preempt, SignalsWithoutTheHandshakeReachForeignCode) {
  ChildResult r = runTestprog("NoEINTRInForeignCode", with(kFast, "CBRIDGE_DEBUG=preemptnolock"));
  EXPECT_NE(r.out.find("EINTR or short sleeps: some"), std::string::npos) << r.out << r.err;
}

TEST(Preempt, PreemptedTaskKeepsItsRegisters) {
  if (kThreadSanitizer) GTEST_SKIP() << kNoAsyncPreemptUnderTsan;
  ChildResult r = runTestprog("PreemptedTaskKeepsItsRegisters", kFast);
  EXPECT_EQ(r.out, "registers kept: yes; preempted 2000 times: yes; resumed on other Ms: yes\n")
      << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

// exit() while sysmon preempts tasks on every P: 200 runs, each must end
// with the scenario's status (7) within 5 s. (20 under ThreadSanitizer,
// which takes a second to start a process; the races are the other
// builds' to find.)
class ExitDuringPreemption : public testing::TestWithParam<const char*> {};

TEST_P(ExitDuringPreemption, AlwaysExitsWithItsStatus) {
  const int kRuns = kThreadSanitizer ? 20 : 200;
  int wrong = 0, hung = 0;
  std::string last;
  for (int i = 0; i < kRuns; i++) {
    ChildResult r = runTestprog(GetParam(), kFast, 5000);
    if (r.timedOut)
      hung++;
    else if (r.exitCode != 7)
      wrong++;
    if (r.timedOut || r.exitCode != 7)
      last = "exit " + std::to_string(r.exitCode) + " signal " + std::to_string(r.signal) +
             "\n" + r.err;
  }
  EXPECT_EQ(hung, 0) << last;
  EXPECT_EQ(wrong, 0) << last;
}

// Killed after 60 s: a task stopped inside a channel's lock hangs it.
TEST(Preempt, RegionMovesUnderAChannelLock) {
  ChildResult r = runTestprog("RegionMovesUnderAChannelLock", with(kFast, "CBRIDGE_MAXPROCS=1"),
                              60000);
  EXPECT_FALSE(r.timedOut) << r.err;
  EXPECT_EQ(r.out, "100 slow moves under the channel's lock in a region: done; preempted: yes\n")
      << r.err;
}

TEST(Preempt, HostSigurgHandlerStillRuns) {
  ChildResult r = runTestprog("HostSigurgHandlerStillRuns", kFast);
  EXPECT_EQ(r.out, "the host's SIGURG handler ran for each of 100 signals: yes\n") << r.err;
  EXPECT_EQ(r.exitCode, 0);
}

// Which modules may be registered: this executable (already, by default),
// another application module; never libc or cbridge, nor an address that
// no module contains. Each refusal says why.
TEST(Preempt, AllowPreemptionInChecksTheModule) {
  EXPECT_TRUE(cbridge::allow_preemption_in(reinterpret_cast<const void*>(&with)));
  void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(libc, nullptr);
  void* strlenInLibc = dlsym(libc, "strlen");
  testing::internal::CaptureStderr();
  EXPECT_FALSE(cbridge::allow_preemption_in(strlenInLibc));
  EXPECT_FALSE(cbridge::allow_preemption_in(reinterpret_cast<const void*>(&cbridge::stats)));
  void* anon = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT_FALSE(cbridge::allow_preemption_in(anon));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("libc.so.6 is a runtime library"), std::string::npos) << err;
  EXPECT_NE(err.find("libcbridge"), std::string::npos) << err;
  EXPECT_NE(err.find("no loaded module contains this address"), std::string::npos) << err;
  // The C API reports through its error convention, without a line.
  EXPECT_EQ(cbridge_allow_preemption_in(anon), CBRIDGE_ERR_ARGUMENT);
  EXPECT_NE(std::strstr(cbridge_last_error(), "no loaded module"), nullptr);
  munmap(anon, 4096);
  dlclose(libc);
}

// The C API's region runs its function, from a task and outside one, and
// the regions nest with the C++ ones.
TEST(Preempt, CPreemptibleRunsItsFunction) {
  int ran = 0;
  auto bump = [](void* p) {
    cbridge_checkpoint();
    ++*static_cast<int*>(p);
  };
  cbridge_preemptible(bump, &ran);
  cbridge::run([&] {
    cbridge::preemptible([&] { cbridge_preemptible(bump, &ran); });
    return 0;
  });
  EXPECT_EQ(ran, 2);
}

INSTANTIATE_TEST_SUITE_P(Preempt, ExitDuringPreemption,
                         testing::Values("ExitFromForeignCodeDuringPreemption",
                                         "ExitFromTaskDuringPreemption",
                                         "ExitFromCallbackDuringPreemption"));

}  // namespace
