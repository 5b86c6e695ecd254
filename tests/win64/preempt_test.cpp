// SPDX-License-Identifier: MIT
// Asynchronous preemption, the same on Linux (the signal) and Windows
// (SuspendThread and a rewritten context, runtime/preempt_windows.cpp),
// through the public API: scripts/test-windows runs this natively and
// under Wine and requires the same output. Run without arguments it is the
// driver: it runs itself, once per part, as a child process with the
// part's settings, and prints only what each child printed (yes or no,
// never a count or a time) and, for the exit parts, a summary of 200 runs.
// The parts:
//   tight        one P; a task spins in a preemptible region, in a loop
//                that makes no call, while a ticker task sleeps 1 ms at a
//                time: the loop is stopped asynchronously and the ticker
//                runs. Again with CBRIDGE_ASYNCPREEMPT=0 and with
//                CBRIDGE_DEBUG=asyncpreemptoff: then it is not.
//   registers    two Ps, preempted every millisecond: three tasks run
//                regmix (12 integer and 8 floating-point accumulators) in
//                a region until 200 asynchronous preemptions have
//                happened, and each result must be the one computed
//                outside any region (Go's PreemptedTaskKeepsItsRegisters);
//                and errkeep: the error state (errno, GetLastError) set
//                before a regmix reads the same after it, though the task
//                was stopped in it and resumed on another thread.
//   foreign      one P: a task in a region calls regmix as foreign code
//                (cbridge::call), in a module the runtime may interrupt,
//                for about half a second; it is never stopped there (no
//                asynchronous preemption while it runs, its result right),
//                and the ticker gets the P meanwhile.
//   exit-*       tasks spin in regions on every P, preempted every
//                millisecond; 20 ms in, the process ends with status 7:
//                ExitProcess (Windows) or exit (Linux) from foreign code,
//                exit from a task, exit from a callback's handler on a C
//                thread (testprogs' Exit*DuringPreemption). Each runs 200
//                times, each must end with 7 within 10 s: on Windows an
//                exit racing a SuspendThread leaves a suspended ghost
//                process (Go's golang/go#35775, the seed of
//                preemptExtLock).
//   exit-main-*  main returns, or calls exit, while 4 tasks read a static
//                made before the runtime started: no task may run once
//                that static is destroyed. 50 runs each.
// The code that may be interrupted is in preempt_spin (a DLL, a .so): this
// program links libcbridge statically, so its own code never is.
#include <cbridge/cbridge.h>

#include <atomic>
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/preempt.hpp>
#include <cbridge/runtime.hpp>
#include <cbridge/task.hpp>
#include <cbridge/timer.hpp>
#include <cbridge/waitgroup.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "preempt_spin.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;
#endif

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kExitStatus = 7;

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

const char* yes(bool b) { return b ? "yes" : "no"; }

// Counts and times go to stderr only under PREEMPT_TEST_VERBOSE: the
// compared output must be the same on both sides.
bool verbose() { return getenv("PREEMPT_TEST_VERBOSE") != nullptr; }

// ---- The children ----

std::atomic<long> ticks{0};
std::atomic<bool> tickerStop{false};

void ticker() {
  while (!tickerStop.load()) {
    cbridge::sleep_for(std::chrono::milliseconds(1));
    ticks.fetch_add(1);
  }
}

bool allowSpin() {
  return cbridge::allow_preemption_in(reinterpret_cast<const void*>(&spin_until));
}

// besideTicker runs the ticker and, 5 ms later (the ticker started and
// parked), body in another task, and returns the ticks counted while body
// ran.
template <typename F>
long besideTicker(F body) {
  long during = 0;
  cbridge::run([&] {
    cbridge::WaitGroup wg;
    wg.add(2);
    cbridge::go([&] {
      ticker();
      wg.done();
    });
    cbridge::go([&] {
      cbridge::sleep_for(std::chrono::milliseconds(5));
      long before = ticks.load();
      body();
      during = ticks.load() - before;
      tickerStop = true;
      wg.done();
    });
    wg.wait();
    return 0;
  });
  return during;
}

// tight: the loop stops when the ticker has ticked 30 times (which it can
// only do if the loop is stopped) or after 2 s.
int tight() {
  allowSpin();
  cbridge::start(cbridge::Config{.maxprocs = 1});
  static volatile int stop = 0;
  uint64_t asyncBefore = cbridge::stats().preempt_async;
  long during = besideTicker([&] {
    cbridge::go([] {
      while (ticks.load() < 30 && !tickerStop.load()) cbridge::sleep_for(std::chrono::milliseconds(1));
      stop = 1;
    });
    cbridge::preemptible([&] { spin_until(&stop, nowNs, nowNs() + 2000000000); });
  });
  bool async = cbridge::stats().preempt_async > asyncBefore;
  printf("tight loop in a region on one P: the ticker ran beside it: %s; preempted asynchronously: %s\n",
         yes(during >= 20), yes(async));
  return 0;
}

int registers() {
  allowSpin();
  cbridge::start(cbridge::Config{.maxprocs = 2, .force_preempt_ns = 1000000});
  constexpr uint64_t kRounds = 200000;
  const uint64_t want = regmix(kRounds);  // outside any region: never interrupted
  std::atomic<int> bad{0}, moved{0}, errLost{0};
  auto deadline = Clock::now() + std::chrono::seconds(60);
  cbridge::run([&] {
    cbridge::WaitGroup wg;
    for (int t = 0; t < 3; t++) {
      wg.add(1);
      cbridge::go([&, t] {
        int64_t firstM = cbridge_current_m();
        bool otherM = false;
        cbridge::preemptible([&] {
          while (cbridge::stats().preempt_async < 200 && Clock::now() < deadline) {
            if (regmix(kRounds) != want) bad++;
            if (!errkeep(1000 + t, kRounds)) errLost++;
            if (cbridge_current_m() != firstM) otherM = true;
          }
        });
        if (otherM) moved++;
        wg.done();
      });
    }
    wg.wait();
    return 0;
  });
  cbridge::Stats s = cbridge::stats();
  if (verbose())
    fprintf(stderr, "registers: %llu async preemptions, %d wrong results, %d errors lost, %d moved\n",
            (unsigned long long)s.preempt_async, bad.load(), errLost.load(), moved.load());
  printf("registers kept: %s; error state kept: %s; preempted 200 times: %s; resumed on other Ms: %s\n",
         yes(bad == 0), yes(errLost == 0), yes(s.preempt_async >= 200), yes(moved > 0));
  return 0;
}

int foreign() {
  allowSpin();
  cbridge::start(cbridge::Config{.maxprocs = 1, .force_preempt_ns = 1000000});
  // About half a second of regmix, measured outside any region.
  auto t0 = Clock::now();
  uint64_t n = 1000000;
  uint64_t want = regmix(n);
  auto took = Clock::now() - t0;
  while (took < std::chrono::milliseconds(100)) {
    n *= 2;
    t0 = Clock::now();
    want = regmix(n);
    took = Clock::now() - t0;
  }
  n *= 4;
  want = regmix(n);
  bool right = false, quiet = false;
  long during = besideTicker([&] {
    uint64_t asyncBefore = cbridge::stats().preempt_async;
    cbridge::preemptible([&] { right = cbridge::call(regmix, n) == want; });
    quiet = cbridge::stats().preempt_async == asyncBefore;
  });
  printf("foreign code in a region, in an interruptible module: result right: %s; never stopped: %s; "
         "the ticker ran meanwhile: %s\n",
         yes(right), yes(quiet), yes(during >= 10));
  return 0;
}

// The exit parts: spinners in regions on every P (and one more), forever.
void spinners() {
  static volatile int never = 0;
  int n = cbridge::stats().procs;
  for (int i = 0; i <= n; i++)
    cbridge::go([] { cbridge::preemptible([] { spin_until(&never, nowNs, INT64_MAX); }); });
}

void preemptedForAWhile() {
  spinners();
  cbridge::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

extern "C" {
// Foreign code that ends the process: ExitProcess on Windows, as the
// seed's external code does (no exit handler runs), exit on Linux.
void exit_from_foreign(int code) {
#ifdef _WIN32
  ExitProcess(UINT(code));
#else
  exit(code);
#endif
}
// Foreign code that starts a C thread calling fn after 20 ms.
void start_c_thread(void (*fn)()) {
  std::thread([fn] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fn();
  }).detach();
}
}

namespace {

// exit-main-return, exit-main-exit: 4 tasks loop reading a static made
// before the runtime started; then main returns 7 (or calls exit(7)). The
// world must be frozen before that static is destroyed, at the latest by
// the runtime's own exit entry, registered after it (runtime/freeze.cpp):
// a task that finds it destroyed ends the process with status 3. (A
// static made after the runtime started is safe too on Linux, where the
// main thread's exit sentinel runs first, but not on Windows; README.)
constexpr int kRanUnderDestroyedStatic = 3;

struct ReadByTasks {
  std::map<int, std::string> map;
  std::atomic<bool> alive{true};
  ~ReadByTasks() {
    alive.store(false);
    map.clear();
  }
};

int staticAtExit(const char* which) {
  static ReadByTasks early;
  for (int i = 0; i < 1000; i++) early.map[i] = std::string(100, 'x');
  cbridge::run([] { return 0; });  // the runtime's exit entry is registered now
  static std::atomic<long> sum{0};
  for (int k = 0; k < 4; k++)
    cbridge::go([] {
      for (;;) {
        cbridge::sleep_for(std::chrono::microseconds(10));
        if (!early.alive.load()) std::_Exit(kRanUnderDestroyedStatic);
        for (auto& [key, v] : early.map) sum.fetch_add(long(v.size()) + key);
      }
    });
  while (sum.load() == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (strcmp(which, "exit-main-exit") == 0) exit(kExitStatus);
  return kExitStatus;
}

int exitScenario(const char* which) {
  allowSpin();
  cbridge::start(cbridge::Config{.force_preempt_ns = 1000000});
  static cbridge::Callback<void()>* cb = nullptr;
  cbridge::run([which] {
    if (strcmp(which, "exit-foreign") == 0) {
      preemptedForAWhile();
      cbridge::call(exit_from_foreign, kExitStatus);
    } else if (strcmp(which, "exit-task") == 0) {
      preemptedForAWhile();
      exit(kExitStatus);
    } else {
      cb = new cbridge::Callback<void()>([] { exit(kExitStatus); });
      spinners();
      cbridge::call(start_c_thread, cb->fn());
    }
    // Wait for the exit: sleeping, so that the spinners keep the Ps.
    for (;;) cbridge::sleep_for(std::chrono::seconds(1));
    return 1;
  });
  return 1;
}

// ---- The driver ----

// runChild runs this program with arg, the environment plus env, and
// returns its exit status, or -1 if it ran longer than timeoutMs (then it
// is killed).
int runChild(const char* self, const char* arg, const std::vector<std::string>& env, int timeoutMs) {
  fflush(stdout);
  fflush(stderr);
#ifdef _WIN32
  for (const std::string& e : env) {
    size_t eq = e.find('=');
    SetEnvironmentVariableA(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str());
  }
  std::string cmd = std::string("\"") + self + "\" " + arg;
  // The child writes to this program's standard handles.
  STARTUPINFOA si{};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  for (HANDLE h : {si.hStdInput, si.hStdOutput, si.hStdError})
    if (h != nullptr && h != INVALID_HANDLE_VALUE) SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  PROCESS_INFORMATION pi{};
  // Wine fails a process creation now and then on a loaded machine (1 in
  // 600 here): a spawn that failed is retried, not counted as the child's.
  BOOL ok = FALSE;
  for (int attempt = 0; attempt < 5 && !ok; attempt++) {
    if (attempt > 0) Sleep(100);
    ok = CreateProcessA(nullptr, cmd.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &si, &pi);
  }
  for (const std::string& e : env) SetEnvironmentVariableA(e.substr(0, e.find('=')).c_str(), nullptr);
  if (!ok) return -2;
  int status;
  if (WaitForSingleObject(pi.hProcess, DWORD(timeoutMs)) == WAIT_TIMEOUT) {
    TerminateProcess(pi.hProcess, 99);
    WaitForSingleObject(pi.hProcess, INFINITE);
    status = -1;
  } else {
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    status = int(code);
  }
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  return status;
#else
  std::vector<std::string> all;
  for (char** e = environ; *e != nullptr; e++) all.emplace_back(*e);
  for (const std::string& e : env) all.push_back(e);
  std::vector<char*> envp;
  for (std::string& e : all) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string a0 = self, a1 = arg;
  char* argv[] = {a0.data(), a1.data(), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, self, nullptr, nullptr, argv, envp.data()) != 0) return -2;
  int st = 0;
  for (int waited = 0;; waited++) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) break;
    if (waited >= timeoutMs) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return -1;
    }
    usleep(1000);
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
#endif
}

int driver(const char* self) {
  struct Part {
    const char* arg;
    std::vector<std::string> env;
  };
  const Part parts[] = {
      {"tight", {}},
      {"tight", {"CBRIDGE_ASYNCPREEMPT=0"}},
      {"tight", {"CBRIDGE_DEBUG=asyncpreemptoff=1"}},
      {"registers", {}},
      {"foreign", {}},
  };
  int failed = 0;
  // PREEMPT_TEST_EXIT_ONLY: the exit parts alone (to run them by hand).
  for (const Part& p : parts) {
    if (getenv("PREEMPT_TEST_EXIT_ONLY") != nullptr) break;
    std::string with;
    for (const std::string& e : p.env) with += " " + e;
    printf("-- %s%s\n", p.arg, with.c_str());
    int st = runChild(self, p.arg, p.env, 120000);
    if (st != 0) {
      printf("%s: exit status %d\n", p.arg, st);
      failed = 1;
    }
  }
  // 200 runs of each exit during preemption, as the issue asks; 50 of
  // each exit from main.
  const struct {
    const char* which;
    int runs;
  } exits[] = {{"exit-foreign", 200}, {"exit-task", 200}, {"exit-callback", 200},
               {"exit-main-return", 50}, {"exit-main-exit", 50}};
  for (auto [which, runs] : exits) {
    if (const char* s = getenv("PREEMPT_TEST_EXIT_RUNS")) runs = atoi(s);
    int hung = 0, wrong = 0, last = 0;
    auto t0 = Clock::now();
    for (int i = 0; i < runs; i++) {
      int st = runChild(self, which, {}, 10000);
      if (st == -1)
        hung++;
      else if (st != kExitStatus)
        wrong++, last = st;
    }
    if (verbose())
      fprintf(stderr, "%s: %d runs in %.1f s\n", which, runs,
              std::chrono::duration<double>(Clock::now() - t0).count());
    printf("%s: %d runs: hung %d, other status %d%s\n", which, runs, hung, wrong,
           wrong > 0 ? (" (last " + std::to_string(last) + ")").c_str() : "");
    if (hung + wrong > 0) failed = 1;
  }
  return failed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    // This program's own path, for its children.
#ifdef _WIN32
    char self[MAX_PATH];
    DWORD n = GetModuleFileNameA(nullptr, self, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) return 2;
#else
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return 2;
    self[n] = '\0';
#endif
    return driver(self);
  }
  std::string part = argv[1];
  if (part == "tight") return tight();
  if (part == "registers") return registers();
  if (part == "foreign") return foreign();
  if (part.rfind("exit-main-", 0) == 0) return staticAtExit(argv[1]);
  if (part.rfind("exit-", 0) == 0) return exitScenario(argv[1]);
  fprintf(stderr, "preempt_test: unknown part %s\n", argv[1]);
  return 2;
}
