// SPDX-License-Identifier: MIT
// The execution trace's cost (bench/compare.py's trace rows): a foreign
// call of an empty C function from a task, or a warm callback of an empty
// handler from a C thread (this program's main thread), with a trace
// recording or not. Each trace covers one round of kOps operations (two
// events each: enter and exit), within the recorder's buffer budget, so
// that every event is stored, and is written to /dev/null outside the
// timed part. Prints "name value" lines: ns per operation, the median of
// kRounds rounds.
//
// Usage: trace_bench calls|callbacks on|off
#include <cbridge/cbridge.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" void cbridge_bench_empty(void);
extern "C" void cbridge_bench_call_void_cb(void (*cb)(void));

namespace {

constexpr long kOps = 200000;
constexpr int kRounds = 7;

template <typename F>
double timed(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
         double(kOps);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[1], "calls") != 0 && strcmp(argv[1], "callbacks") != 0)) {
    std::fprintf(stderr, "usage: trace_bench calls|callbacks on|off\n");
    return 2;
  }
  bool calls = strcmp(argv[1], "calls") == 0;
  bool on = strcmp(argv[2], "on") == 0;
  cbridge::Callback<void()> cb([] {});
  void (*fn)() = cb.fn();
  fn();  // the first call binds this thread an M
  auto round = [&] {
    if (calls)
      return cbridge::run([] {
        return timed([] {
          for (long i = 0; i < kOps; i++) cbridge::call(cbridge_bench_empty);
        });
      });
    return timed([fn] {
      for (long i = 0; i < kOps; i++) cbridge_bench_call_void_cb(fn);
    });
  };
  round();  // warm
  std::vector<double> ns;
  for (int r = 0; r < kRounds; r++) {
    if (on && cbridge::trace_start("/dev/null") != 0) return 1;
    ns.push_back(round());
    if (on && cbridge::trace_stop() != 0) return 1;
  }
  std::sort(ns.begin(), ns.end());
  std::printf("NsPerOp %.3f\nEventsPerOp 2\n", ns[ns.size() / 2]);
  return 0;
}
