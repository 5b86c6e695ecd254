// Callback benchmarks: an empty handler called from a foreign thread with
// a warm cache (this benchmark's own thread, which the runtime did not
// create), nested (task → C → callback → back), and the bare libffi
// closure for the share that is libffi's. Go's peers are in
// bench/peers/go/callbacks.
#include <benchmark/benchmark.h>
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <ffi.h>

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
