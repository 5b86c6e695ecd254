// SPDX-License-Identifier: MIT
// Preemption scenarios (#13), named as Go's crash tests are. They run in
// testprog_shared: public headers and libcbridge.so, as a user builds, so
// that the main executable is code the preemption signal may interrupt.
// What they print is counted (ticks of a ticker task while a loop held the
// only P, EINTRs, preemptions), so a test compares text; the numbers go to
// stderr for the failure message.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <set>
#include <thread>
#include <vector>

#include "testprogs/preempt_foreign.h"
#include "testprogs/testprog.hpp"

extern "C" int regcheck_loop(uint64_t n, int avx);

namespace {

using Clock = std::chrono::steady_clock;

// How long the loops hold the P, and the fewest ticks per that time a
// ticker must get: one per 50 ms (10 ms slices give about one per 20 ms).
constexpr auto kLoopTime = std::chrono::milliseconds(600);
constexpr long kMsPerTick = 50;

std::atomic<long> ticks{0};
std::atomic<bool> tickerStop{false};

// ticker sleeps 1 ms at a time until told to stop, counting its wake-ups.
void ticker() {
  while (!tickerStop.load(std::memory_order_relaxed)) {
    cbridge::sleep_for(std::chrono::milliseconds(1));
    ticks.fetch_add(1, std::memory_order_relaxed);
  }
}

// spinUntil counts in a loop that makes no call (but, every 2^20 rounds,
// the clock's) until deadline; with checkpoints, cbridge::checkpoint()
// each round. noinline and in this executable: the code the signal stops.
__attribute__((noinline)) unsigned long spinUntil(Clock::time_point deadline, bool checkpoints) {
  volatile unsigned long counter = 0;
  for (;;) {
    counter = counter + 1;
    if (checkpoints) cbridge::checkpoint();
    if ((counter & 0xfffff) == 0 && Clock::now() >= deadline) break;
  }
  return counter;
}

// tickerBesideLoop runs a ticker and a spinning loop on one P (the test
// sets CBRIDGE_MAXPROCS=1) and prints whether the ticker ran often enough
// while the loop ran.
int tickerBesideLoop(const char* what, bool region, bool checkpoints) {
  cbridge::WaitGroup wg;
  std::atomic<long> during{-1};
  std::atomic<long> elapsedMs{0};
  wg.add(2);
  cbridge::go([&] {
    ticker();
    wg.done();
  });
  cbridge::go([&] {
    // Let the ticker start and park first.
    cbridge::sleep_for(std::chrono::milliseconds(5));
    long before = ticks.load();
    auto start = Clock::now();
    auto loop = [&] { spinUntil(start + kLoopTime, checkpoints); };
    if (region)
      cbridge::preemptible(loop);
    else
      loop();
    elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    during = ticks.load() - before;
    tickerStop = true;
    wg.done();
  });
  wg.wait();
  cbridge::Stats s = cbridge::stats();
  fprintf(stderr, "%s: %ld ticks in %ld ms; preempt attempts %llu async %llu cooperative %llu\n",
          what, during.load(), elapsedMs.load(), (unsigned long long)s.preempt_attempts,
          (unsigned long long)s.preempt_async, (unsigned long long)s.preempt_cooperative);
  printf("%s: the ticker ran at least once per %ld ms: %s\n", what, kMsPerTick,
         during.load() * kMsPerTick >= elapsedMs.load() ? "yes" : "no");
  return 0;
}

int tightLoopIsPreempted() { return tickerBesideLoop("tight loop in a region", true, false); }

int cooperativeLoopIsPreempted() {
  return tickerBesideLoop("loop calling checkpoint", false, true);
}

// Where the signal cannot stop a task (ThreadSanitizer builds: see the
// README), a region's spinners also call checkpoint(), or they would keep
// every P and nothing else would run.
#if defined(__SANITIZE_THREAD__)
constexpr bool kCooperativeOnly = true;
#else
constexpr bool kCooperativeOnly = false;
#endif

// spinners starts one task per P spinning in a preemptible region until
// stop (forever if stop is null), and one more that calls checkpoint().
void spinners(std::atomic<bool>* stop, cbridge::WaitGroup* wg) {
  int n = cbridge::stats().procs;
  for (int i = 0; i <= n; i++) {
    if (wg != nullptr) wg->add(1);
    cbridge::go([=] {
      auto spin = [&] {
        volatile unsigned long counter = 0;
        while (stop == nullptr || !stop->load(std::memory_order_relaxed)) {
          counter = counter + 1;
          if (i == n || kCooperativeOnly) cbridge::checkpoint();
        }
      };
      cbridge::preemptible(spin);
      if (wg != nullptr) wg->done();
    });
  }
}

// NoEINTRInForeignCode: foreign code on one task does at least 10,000 blocking
// reads of a pipe that a plain thread feeds slowly, each followed by a
// 20 µs nanosleep, while tasks spin on every P and are preempted every
// millisecond (the test sets CBRIDGE_FORCE_PREEMPT_NS=1000000), and
// spinning tasks alternate with short foreign sleeps of their own, which
// races sysmon's signal against their entry into foreign code. Foreign
// code must see no EINTR and no short sleep. Under
// CBRIDGE_DEBUG=preemptnolock sysmon also signals Ms in foreign code, as a
// preemptor that ignored the handshake would: then it does.
int noEINTRInForeignCode() {
  constexpr int kReads = 10000;
  // The reads must race at least kAsync signal preemptions. How many come
  // in 10,000 reads depends on how busy the machine is (a CI run's other
  // tests take the CPUs from the spinners), so the reader goes on past
  // kReads until sysmon has preempted that often, up to kMaxReads. Under
  // TSan, where tasks are only preempted cooperatively, it stops at kReads.
  constexpr unsigned long long kAsync = 50;
  constexpr int kMaxReads = 20 * kReads;
  int fds[2];
  if (pipe(fds) != 0) return 1;
  // The write end does not block: a feeder ahead of the reader, with the
  // pipe full, must still see fed and stop.
  if (fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0) return 1;
  std::atomic<bool> fed{false};
  std::thread feeder([&] {
    char b = 'x';
    while (!fed.load()) {
      if (write(fds[1], &b, 1) != 1 && errno != EAGAIN) break;
      usleep(20);
    }
  });
  std::atomic<bool> stop{false};
  cbridge::WaitGroup wg;
  spinners(&stop, &wg);
  foreign_counts reader{}, racers{};
  std::atomic<long> racerCalls{0};
  wg.add(2);
  cbridge::go([&] {
    for (int i = 0; i < kReads || (!kCooperativeOnly && i < kMaxReads &&
                                   cbridge::stats().preempt_async < kAsync);
         i++)
      if (cbridge::call(foreign_read_sleep, fds[0], int64_t(20000), &reader) != 1) break;
    stop = true;
    wg.done();
  });
  cbridge::go([&] {
    // Spin for 1-2 slices, then a foreign sleep: sysmon often finds this
    // task's slice old just as it enters foreign code.
    while (!stop.load(std::memory_order_relaxed)) {
      auto until = Clock::now() + std::chrono::microseconds(1500);
      cbridge::preemptible([&] {
        volatile unsigned long counter = 0;
        while (Clock::now() < until) {
          counter = counter + 1;
          if (kCooperativeOnly) cbridge::checkpoint();
        }
      });
      cbridge::call(foreign_sleep, int64_t(50000), &racers);
      racerCalls++;
    }
    wg.done();
  });
  wg.wait();
  fed = true;
  feeder.join();
  close(fds[0]);
  close(fds[1]);
  cbridge::Stats s = cbridge::stats();
  long eintr = reader.eintr + racers.eintr, shortSleeps = reader.short_sleeps + racers.short_sleeps;
  fprintf(stderr,
          "reads %ld sleeps %ld+%ld, EINTR %ld, short sleeps %ld; preempt attempts %llu refused %llu "
          "async %llu cooperative %llu ack timeouts %llu\n",
          reader.reads, reader.sleeps, racers.sleeps, eintr, shortSleeps,
          (unsigned long long)s.preempt_attempts, (unsigned long long)s.preempt_refused,
          (unsigned long long)s.preempt_async, (unsigned long long)s.preempt_cooperative,
          (unsigned long long)s.preempt_ack_timeouts);
  printf("10000 reads in foreign code: %s; tasks preempted meanwhile: %s; EINTR or short sleeps: %s\n",
         reader.reads >= kReads ? "yes" : "no", s.preempt_async >= kAsync ? "yes" : "no",
         eintr + shortSleeps == 0 ? "none" : "some");
  return 0;
}

// The exit scenarios: tasks spin on every P and are preempted every
// millisecond; 20 ms in, the process exits with status 7 from foreign
// code, from a task, or from a callback handler on a C thread. The test
// runs each 200 times and expects status 7 every time, within 5 s.
constexpr int kExitStatus = 7;

void preemptedForAWhile() {
  spinners(nullptr, nullptr);
  cbridge::sleep_for(std::chrono::milliseconds(20));
}

int exitFromForeignCode() {
  cbridge::go([] {
    preemptedForAWhile();
    cbridge::call(foreign_exit, kExitStatus);
  });
  pause();
  return 1;
}

int exitFromTask() {
  cbridge::go([] {
    preemptedForAWhile();
    exit(kExitStatus);
  });
  pause();
  return 1;
}

void exitingHandler() { exit(kExitStatus); }

// Never destroyed (the process ends inside its handler), in static
// storage, so that the leak checker finds what it holds.
alignas(cbridge::Callback<void()>) unsigned char exitingCallback[sizeof(cbridge::Callback<void()>)];

int exitFromCallback() {
  auto* cb = new (exitingCallback) cbridge::Callback<void()>(exitingHandler);
  cbridge::go([cb] {
    spinners(nullptr, nullptr);
    foreign_thread_calls(cb->fn(), 20000000);
  });
  pause();
  return 1;
}

// PreemptedTaskKeepsItsRegisters: tasks (one more than the Ps) run
// regcheck_loop, which keeps known values in 14 general registers and 15
// vector registers (the full ymm width where the CPU has AVX) and checks
// them every round, in a preemptible region, preempted every millisecond
// until the preemptions number 2,000; each notes the Ms it ran on between
// rounds of the loop.
int preemptedTaskKeepsItsRegisters() {
  cbridge::start();  // reads CBRIDGE_MAXPROCS, so that stats() counts the Ps
  int avx = __builtin_cpu_supports("avx") ? 1 : 0;
  int tasks = cbridge::stats().procs + 1;
  std::atomic<int> bad{0};
  std::atomic<int> moved{0};
  // A bound for a machine so loaded that sysmon rarely runs (then the
  // test fails, saying so); alone, 2,000 preemptions take about 2 s.
  auto deadline = Clock::now() + std::chrono::seconds(60);
  cbridge::WaitGroup wg;
  for (int t = 0; t < tasks; t++) {
    wg.add(1);
    cbridge::go([&] {
      std::set<int64_t> ms;
      cbridge::preemptible([&] {
        while (cbridge::stats().preempt_async < 2000 && Clock::now() < deadline) {
          if (regcheck_loop(200000, avx) != 0) bad++;
          ms.insert(cbridge_current_m());
        }
      });
      if (ms.size() > 1) moved++;
      wg.done();
    });
  }
  wg.wait();
  cbridge::Stats s = cbridge::stats();
  fprintf(stderr, "%d tasks, avx %d: preempted %llu times, %d moved between Ms, %d mismatches\n",
          tasks, avx, (unsigned long long)s.preempt_async, moved.load(), bad.load());
  printf("registers kept: %s; preempted 2000 times: %s; resumed on other Ms: %s\n",
         bad.load() == 0 ? "yes" : "no", s.preempt_async >= 2000 ? "yes" : "no",
         moved.load() > 0 ? "yes" : "no");
  return 0;
}

// HostSigurgHandlerStillRuns: the host installed a SIGURG handler before
// the runtime started; while tasks are preempted (by SIGURG too), every
// SIGURG the process sends itself (kill: not the runtime's) reaches it.
std::atomic<int> hostUrgs{0};
void hostUrgHandler(int) { hostUrgs.fetch_add(1, std::memory_order_relaxed); }

int hostSigurgHandlerStillRuns() {
  struct sigaction sa {};
  sa.sa_handler = hostUrgHandler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGURG, &sa, nullptr);
  std::atomic<bool> stop{false};
  cbridge::WaitGroup wg;
  // Started here, not from a task of its own: spinners adds to wg before
  // each task exists, so wg.wait() below cannot pass before a spinner was
  // counted (from a task that had not run yet it could, and the spinners
  // then used wg after it went out of scope).
  spinners(&stop, &wg);
  constexpr int kSignals = 100;
  int delivered = 0;
  for (int i = 0; i < kSignals; i++) {
    int before = hostUrgs.load();
    kill(getpid(), SIGURG);
    for (int spin = 0; spin < 10000 && hostUrgs.load() == before; spin++) usleep(100);
    if (hostUrgs.load() > before) delivered++;
  }
  stop = true;
  cbridge::sleep_for(std::chrono::milliseconds(1));
  wg.wait();
  cbridge::Stats s = cbridge::stats();
  fprintf(stderr, "host handler: %d of %d; preempt async %llu cooperative %llu\n", delivered,
          kSignals, (unsigned long long)s.preempt_async, (unsigned long long)s.preempt_cooperative);
  printf("the host's SIGURG handler ran for each of %d signals: %s\n", kSignals,
         delivered == kSignals ? "yes" : "no");
  return 0;
}

// RegionMovesUnderAChannelLock: with one P, a task in a preemptible
// region sends and receives elements whose move takes 2 ms: the channel
// runs that move, code of this executable, under its lock. A ticker task
// looks at the channel's length every millisecond, which takes the lock.
// Were the task stopped by the signal inside the move, the ticker would
// wait for the lock with the only P, and the task holding it would never
// run again: the process would hang. The handler refuses while the M holds
// a runtime lock (locksHeld).
struct SlowMove {
  SlowMove() = default;
  SlowMove(SlowMove&&) noexcept {
    auto until = Clock::now() + std::chrono::milliseconds(2);
    volatile unsigned long counter = 0;
    while (Clock::now() < until) counter = counter + 1;
  }
  SlowMove& operator=(SlowMove&&) = delete;
};

int regionMovesUnderAChannelLock() {
  cbridge::Chan<SlowMove> ch(1);
  std::atomic<bool> done{false};
  std::atomic<long> looks{0};
  cbridge::WaitGroup wg;
  wg.add(2);
  cbridge::go([&] {
    cbridge::preemptible([&] {
      for (int i = 0; i < 100; i++) {
        ch.send(SlowMove{});
        ch.recv();
      }
    });
    done = true;
    wg.done();
  });
  cbridge::go([&] {
    while (!done.load()) {
      cbridge::sleep_for(std::chrono::milliseconds(1));
      looks += long(ch.size());
    }
    wg.done();
  });
  wg.wait();
  cbridge::Stats s = cbridge::stats();
  fprintf(stderr, "preempt async %llu cooperative %llu\n", (unsigned long long)s.preempt_async,
          (unsigned long long)s.preempt_cooperative);
  printf("100 slow moves under the channel's lock in a region: done; preempted: %s\n",
         s.preempt_async + s.preempt_cooperative > 0 ? "yes" : "no");
  return 0;
}

testprog::Register r1("TightLoopIsPreempted", tightLoopIsPreempted);
testprog::Register r9("RegionMovesUnderAChannelLock", regionMovesUnderAChannelLock);
testprog::Register r8("HostSigurgHandlerStillRuns", hostSigurgHandlerStillRuns);
testprog::Register r2("CooperativeLoopIsPreempted", cooperativeLoopIsPreempted);
testprog::Register r3("NoEINTRInForeignCode", noEINTRInForeignCode);
testprog::Register r4("ExitFromForeignCodeDuringPreemption", exitFromForeignCode);
testprog::Register r5("ExitFromTaskDuringPreemption", exitFromTask);
testprog::Register r6("ExitFromCallbackDuringPreemption", exitFromCallback);
testprog::Register r7("PreemptedTaskKeepsItsRegisters", preemptedTaskKeepsItsRegisters);

}  // namespace
