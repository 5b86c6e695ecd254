// SPDX-License-Identifier: MIT
// sched_bench, call_bench and callback_bench for Windows, where Debian has
// no mingw build of Google Benchmark: the same bodies, timed as Go's
// testing.Benchmark times its peers (the iteration count grown until a
// run lasts long enough), each printed as "name ns_per_op", the median of
// three runs, for bench/compare.py's wine part. The scheduler's names are
// its Go peer's (bench/peers/go/sched), the others call_bench's and
// callback_bench's without "BM_".
//
//   ops_bench sched      task start+finish, channel hand-off, yield, task
//                        switch and its peer, a bare fcontext switch
//                        (runtime/fcontext_amd64_win64.S), 100,000 tasks
//                        spawned and joined
//   ops_bench calls      an empty C function called directly, typed,
//                        dynamically, prepared and by signature string
//   ops_bench callbacks  a warm callback from a thread the runtime did not
//                        make (main's), and one nested in a foreign call
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/dynamic.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "runtime/fcontext_win64.hpp"

extern "C" void cbridge_bench_empty(void);
extern "C" void cbridge_bench_call_void_cb(void (*cb)(void));

namespace {

using Clock = std::chrono::steady_clock;

// ns per operation of body(n), which does n operations: n grows as
// testing.Benchmark grows it until one run takes 0.5 s (compare.py gives
// Google Benchmark the same --benchmark_min_time); the median of three.
double measure(const std::function<void(int64_t)>& body) {
  double runs[3];
  for (double& ns_op : runs) {
    for (int64_t n = 1;;) {
      auto t0 = Clock::now();
      body(n);
      double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
      if (ns >= 0.5e9 || n >= 1000000000) {
        ns_op = ns / double(n);
        break;
      }
      int64_t next = ns > 0 ? int64_t(double(n) * 0.6e9 / ns) : n * 100;
      n = std::clamp(next, n + 1, n * 100);
    }
  }
  std::sort(runs, runs + 3);
  return runs[1];
}

void print(const char* name, double v) { std::printf("%s %.3f\n", name, v); }

void sched() {
  print("TaskStartFinish", measure([](int64_t n) {
          cbridge::run([n] {
            cbridge::WaitGroup wg;
            for (int64_t i = 0; i < n; i++) {
              wg.add(1);
              cbridge::go([&] { wg.done(); });
              wg.wait();
            }
          });
        }));
  print("ChanHandoff", measure([](int64_t n) {
          cbridge::run([n] {
            cbridge::Chan<int> ping, pong;
            cbridge::go([ping, pong]() mutable {
              while (auto v = ping.recv()) pong.send(*v);
            });
            for (int64_t i = 0; i < n; i++) {
              if ((i & 1) == 0)
                ping.send(1);
              else
                pong.recv();
            }
            if (n & 1) pong.recv();
            ping.close();
          });
        }));
  print("Yield", measure([](int64_t n) {
          cbridge::run([n] {
            for (int64_t i = 0; i < n; i++) cbridge::yield();
          });
        }));
  // One operation is one switch, one way: each yield is there and back.
  print("TaskSwitch", measure([](int64_t n) {
          cbridge::run([n] {
            std::atomic<bool> stop{false};
            cbridge::WaitGroup wg;
            wg.add(1);
            cbridge::go([&] {
              while (!stop.load(std::memory_order_relaxed)) cbridge::yield();
              wg.done();
            });
            for (int64_t i = 0; i < (n + 1) / 2; i++) cbridge::yield();
            stop = true;
            wg.wait();
          });
        }));
  print("FcontextSwitch", measure([](int64_t n) {
          namespace ctx = boost::context::detail;
          constexpr size_t kSize = 64 * 1024;
          alignas(16) static char stack[kSize];
          auto loop = [](ctx::transfer_t t) {
            for (;;) t = ctx::jump_fcontext(t.fctx, nullptr);
          };
          ctx::fcontext_t other = ctx::make_fcontext(stack + kSize, kSize, loop);
          for (int64_t i = 0; i < (n + 1) / 2; i++) other = ctx::jump_fcontext(other, nullptr).fctx;
        }));
  // One batch is one operation, after an untimed one, as sched_bench does.
  auto batch = [] {
    cbridge::WaitGroup wg;
    wg.add(100000);
    for (int i = 0; i < 100000; i++) cbridge::go([&] { wg.done(); });
    wg.wait();
  };
  cbridge::run(batch);
  print("SpawnJoin100k", measure([&](int64_t n) {
          cbridge::run([&] {
            for (int64_t i = 0; i < n; i++) batch();
          });
        }));
}

void calls() {
  print("DirectCall", measure([](int64_t n) {
          void (*volatile fn)(void) = cbridge_bench_empty;  // keep the call
          for (int64_t i = 0; i < n; i++) fn();
        }));
  print("TypedCall", measure([](int64_t n) {
          cbridge::run([n] {
            for (int64_t i = 0; i < n; i++) cbridge::call(cbridge_bench_empty);
          });
        }));
  cbridge::ForeignFunction f(reinterpret_cast<void*>(cbridge_bench_empty), "void(void)");
  print("DynamicCall", measure([&](int64_t n) {
          cbridge::run([&] {
            for (int64_t i = 0; i < n; i++) f.call(nullptr, nullptr);
          });
        }));
  cbridge_fn* cf = cbridge_fn_new(reinterpret_cast<void*>(cbridge_bench_empty), "void(void)");
  print("CFnCall", measure([&](int64_t n) {
          cbridge::run([&] {
            for (int64_t i = 0; i < n; i++) cbridge_fn_call(cf, nullptr, nullptr);
          });
        }));
  cbridge_fn_free(cf);
  print("CCallByString", measure([](int64_t n) {
          void* fn = reinterpret_cast<void*>(cbridge_bench_empty);
          cbridge::run([&] {
            for (int64_t i = 0; i < n; i++) cbridge_call(fn, "void(void)", nullptr, nullptr);
          });
        }));
}

void callbacks() {
  cbridge::Callback<void()> cb([] {});
  void (*fn)() = cb.fn();
  fn();  // the first call binds this thread an M
  print("CallbackForeignThreadWarm", measure([fn](int64_t n) {
          for (int64_t i = 0; i < n; i++) cbridge_bench_call_void_cb(fn);
        }));
  print("CallbackNestedRoundTrip", measure([fn](int64_t n) {
          cbridge::run([&] {
            for (int64_t i = 0; i < n; i++) cbridge::call(cbridge_bench_call_void_cb, fn);
          });
        }));
}

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc == 2 ? argv[1] : "";
  if (what == "sched")
    sched();
  else if (what == "calls")
    calls();
  else if (what == "callbacks")
    callbacks();
  else {
    std::fprintf(stderr, "usage: ops_bench sched|calls|callbacks\n");
    return 2;
  }
  return 0;
}
