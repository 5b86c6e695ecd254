// SPDX-License-Identifier: MIT
// Callback benchmarks: an empty handler called from a foreign thread with
// a warm cache (this benchmark's own thread, which the runtime did not
// create), nested (task → C → callback → back), and the bare libffi
// closure for the share that is libffi's. Go's peers are in
// bench/peers/go/callbacks.
#include <benchmark/benchmark.h>
#include <boost/context/fiber.hpp>
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <ffi.h>

#include <chrono>
#include <thread>

extern "C" void cbridge_bench_call_void_cb(void (*cb)(void));

namespace {

void BM_CallbackForeignThreadWarm(benchmark::State& state) {
  cbridge::Callback<void()> cb([] {});
  void (*fn)() = cb.fn();
  fn();  // the first call binds this thread an M
  for (auto _ : state) cbridge_bench_call_void_cb(fn);
}
BENCHMARK(BM_CallbackForeignThreadWarm);

void BM_CallbackNestedRoundTrip(benchmark::State& state) {
  cbridge::Callback<void()> cb([] {});
  void (*fn)() = cb.fn();
  cbridge::run([&] {
    for (auto _ : state) cbridge::call(cbridge_bench_call_void_cb, fn);
  });
}
BENCHMARK(BM_CallbackNestedRoundTrip)->UseRealTime();

// A callback after a stack switch: two Boost.Context fibers take turns
// calling, so every callback arrives on another stack than the last and
// refreshes the M's bounds (the case golang/go#68587 made 2.5x slower by
// querying the pthread bounds, which reads /proc/self/maps on the main
// thread, on every call). Returns ns per callback, fiber switches included
// (BM_FiberSwitchPair is their share).
double callbacksAfterSwitches(long n, void (*fn)()) {
  namespace ctx = boost::context;
  bool stop = false;
  auto body = [&](ctx::fiber&& back) {
    while (!stop) {
      cbridge_bench_call_void_cb(fn);
      back = std::move(back).resume();
    }
    return std::move(back);
  };
  ctx::fiber a(body), b(body);
  a = std::move(a).resume();  // warm: the thread's M exists
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; i++) {
    if (i & 1)
      a = std::move(a).resume();
    else
      b = std::move(b).resume();
  }
  auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  a = std::move(a).resume();
  b = std::move(b).resume();
  return ns / double(n);
}

constexpr long kSwitchCalls = 200000;

void BM_CallbackAfterStackSwitchMainThread(benchmark::State& state) {
  cbridge::Callback<void()> cb([] {});
  for (auto _ : state) state.counters["ns_per_callback"] = callbacksAfterSwitches(kSwitchCalls, cb.fn());
}
BENCHMARK(BM_CallbackAfterStackSwitchMainThread)->Iterations(1);

void BM_CallbackAfterStackSwitchWorkerThread(benchmark::State& state) {
  cbridge::Callback<void()> cb([] {});
  for (auto _ : state) {
    double ns = 0;
    std::thread t([&] { ns = callbacksAfterSwitches(kSwitchCalls, cb.fn()); });
    t.join();
    state.counters["ns_per_callback"] = ns;
  }
}
BENCHMARK(BM_CallbackAfterStackSwitchWorkerThread)->Iterations(1);

void BM_FiberSwitchPair(benchmark::State& state) {
  // The two fiber switches each iteration above costs, without a callback.
  namespace ctx = boost::context;
  bool stop = false;
  ctx::fiber f([&](ctx::fiber&& back) {
    while (!stop) back = std::move(back).resume();
    return std::move(back);
  });
  for (auto _ : state) f = std::move(f).resume();
  stop = true;
  f = std::move(f).resume();
}
BENCHMARK(BM_FiberSwitchPair);

void emptyClosure(ffi_cif*, void*, void**, void*) {}

void BM_BareFfiClosure(benchmark::State& state) {
  ffi_cif cif;
  ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 0, &ffi_type_void, nullptr);
  void* code = nullptr;
  auto* closure = static_cast<ffi_closure*>(ffi_closure_alloc(sizeof(ffi_closure), &code));
  ffi_prep_closure_loc(closure, &cif, emptyClosure, nullptr, code);
  auto fn = reinterpret_cast<void (*)()>(code);
  for (auto _ : state) cbridge_bench_call_void_cb(fn);
  ffi_closure_free(closure);
}
BENCHMARK(BM_BareFfiClosure);

}  // namespace

BENCHMARK_MAIN();
