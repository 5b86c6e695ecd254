// SPDX-License-Identifier: MIT
// Preemption benchmarks (issue 13), run by bench/compare.py's preempt mode.
// Printed as "name value" lines, as the other bench programs.
//
//   preempt_bench checkpoint
//     What cbridge::checkpoint() costs when no request is pending: one task
//     runs a loop of dependent arithmetic (a 64-bit LCG step) with and
//     without a checkpoint() per iteration, alternately, 11 rounds timed
//     in the thread's CPU time; the median per-iteration difference is
//     the cost. Its peer is the bare loop, not Go (Go's loops carry no
//     such check since 1.14; Go stops them by signal only). sysmon is told
//     not to ask (force_preempt_ns at its largest, 10 s, and a yield()
//     between loops of under a second each starts the task's slice anew),
//     so every checkpoint() takes the fast path: one relaxed load and a
//     branch; CheckpointRequests (sysmon's requests meanwhile) shows it.
//
//   preempt_bench ticker            (run with CBRIDGE_MAXPROCS=1)
//     The twin of bench/peers/go/preempt: a task inside
//     cbridge::preemptible spins a counter loop that makes no call, while
//     the main task sleeps 1 ms in a loop for 2 s. Only preemption lets the
//     sleeper run again; its lateness (actual wake - intended) p50, p99
//     and max in microseconds, and how the spinner was stopped (stats()).
//     Linked to the shared libcbridge, as users build: the spinner must be
//     in the main executable, apart from cbridge, for the signal to stop
//     it there (see runtime/preempt_modules_linux.cpp).
#include <cbridge/cbridge.hpp>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

// ---- checkpoint -------------------------------------------------------

// Knuth's MMIX LCG: one multiply and one add per step, each depending on
// the last, so the loop is a latency chain the compiler can neither
// vectorize nor fold into a closed form.
constexpr uint64_t kMul = 6364136223846793005ull;
constexpr uint64_t kAdd = 1442695040888963407ull;

// Read once per run so that the compiler knows neither the trip count nor
// the seed; the loops' results go to sink so that they are not dropped.
volatile uint64_t gIters = 100'000'000;
volatile uint64_t gSeed = 1;
volatile uint64_t sink;

// noinline: both loops are compiled alone, the same but for the check
// (compare them with objdump -d --no-show-raw-insn bench/preempt_bench).
// checkpoint()'s load is an atomic one, which compilers do not hoist out
// of a loop; its slow path is a call, which stays out of line.
[[gnu::noinline]] uint64_t bareLoop(uint64_t n, uint64_t x) {
  for (uint64_t i = 0; i < n; i++) x = x * kMul + kAdd;
  return x;
}

[[gnu::noinline]] uint64_t checkpointLoop(uint64_t n, uint64_t x) {
  for (uint64_t i = 0; i < n; i++) {
    x = x * kMul + kAdd;
    cbridge::checkpoint();
  }
  return x;
}

// The thread's CPU time, not the wall clock: on a shared machine another
// process's slices on this CPU would land in one loop's time and not the
// other's. The task stays on one thread during a loop: nothing in it parks
// or yields, and sysmon does not ask (see above).
double threadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

double nsPerIter(uint64_t (*loop)(uint64_t, uint64_t), uint64_t n) {
  cbridge::yield();
  double t0 = threadCpuNs();
  sink = loop(n, gSeed);
  return (threadCpuNs() - t0) / double(n);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int runCheckpoint() {
  cbridge::Config cfg;
  cfg.force_preempt_ns = int64_t{10} * 1000 * 1000 * 1000;
  if (!cbridge::start(cfg)) return 1;
  constexpr int kRounds = 11;
  std::vector<double> bare, check, diff;
  uint64_t attempts = 0;
  cbridge::run([&] {
    const uint64_t n = gIters;
    nsPerIter(bareLoop, n / 10);  // warm up the core's clock
    uint64_t a0 = cbridge::stats().preempt_attempts;
    for (int r = 0; r < kRounds; r++) {
      // Alternate which loop goes first, so a clock ramp favours neither.
      double b, c;
      if (r % 2 == 0) {
        b = nsPerIter(bareLoop, n);
        c = nsPerIter(checkpointLoop, n);
      } else {
        c = nsPerIter(checkpointLoop, n);
        b = nsPerIter(bareLoop, n);
      }
      bare.push_back(b);
      check.push_back(c);
      diff.push_back(c - b);
    }
    attempts = cbridge::stats().preempt_attempts - a0;
  });
  std::printf("BareLoopNs %.4f\nCheckpointLoopNs %.4f\nCheckpointCostNs %.4f\n"
              "CheckpointRequests %llu\n",
              median(bare), median(check), median(diff), static_cast<unsigned long long>(attempts));
  return 0;
}

// ---- ticker -----------------------------------------------------------

std::atomic<uint64_t> spins{0};

// The spinner: no call in the loop, so only the signal can stop it. The
// counter is a relaxed load and store (plain movs, not a locked add), as
// Go's counter++ on a global; the stop flag is a relaxed load.
[[gnu::noinline]] void spin(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed))
    spins.store(spins.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

double percentile(const std::vector<double>& sorted, int p) {
  return sorted[std::min(sorted.size() - 1, sorted.size() * p / 100)];
}

int runTicker() {
  std::vector<double> late;
  cbridge::Stats s0{}, s1{};
  // Set by the ticker when its 2 s are over, or by guard: an OS thread, not
  // a task, so it runs even if nothing stops the spinner (no signal: a
  // static link, CBRIDGE_ASYNCPREEMPT=0), which would otherwise hang the
  // run; the figures then show it (PreemptAsync 0, late ticks). Relaxed:
  // the flag orders nothing, the spinner only has to see it eventually.
  std::atomic<bool> stop{false};
  std::thread guard([&stop] {
    auto limit = Clock::now() + std::chrono::seconds(5);
    while (!stop.load(std::memory_order_relaxed) && Clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop.store(true, std::memory_order_relaxed);
  });
  cbridge::run([&] {
    cbridge::WaitGroup wg;
    wg.add(1);
    s0 = cbridge::stats();
    cbridge::go([&] {
      cbridge::preemptible([&] { spin(stop); });
      wg.done();
    });
    const auto tick = std::chrono::milliseconds(1);
    const auto end = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < end && !stop.load(std::memory_order_relaxed)) {
      auto due = Clock::now() + tick;
      cbridge::sleep_for(tick);
      late.push_back(std::chrono::duration<double, std::micro>(Clock::now() - due).count());
    }
    stop.store(true, std::memory_order_relaxed);
    wg.wait();
    s1 = cbridge::stats();
  });
  guard.join();
  std::sort(late.begin(), late.end());
  std::printf("TickerLateP50Us %.1f\nTickerLateP99Us %.1f\nTickerLateMaxUs %.1f\nTickerTicks %zu\n",
              percentile(late, 50), percentile(late, 99), late.back(), late.size());
  std::printf("Procs %d\nPreemptAttempts %llu\nPreemptAsync %llu\nPreemptCooperative %llu\n",
              s1.procs,
              static_cast<unsigned long long>(s1.preempt_attempts - s0.preempt_attempts),
              static_cast<unsigned long long>(s1.preempt_async - s0.preempt_async),
              static_cast<unsigned long long>(s1.preempt_cooperative - s0.preempt_cooperative));
  // Attempts that stopped nothing: refused (the M was in foreign code) or
  // whose signal's handler had not run 1 ms later.
  std::printf("PreemptRefused %llu\nPreemptAckTimeouts %llu\n",
              static_cast<unsigned long long>(s1.preempt_refused - s0.preempt_refused),
              static_cast<unsigned long long>(s1.preempt_ack_timeouts - s0.preempt_ack_timeouts));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "checkpoint") == 0) return runCheckpoint();
  if (argc == 2 && std::strcmp(argv[1], "ticker") == 0) return runTicker();
  std::fprintf(stderr, "usage: %s checkpoint|ticker\n", argv[0]);
  return 2;
}
