// Foreign-call benchmarks: the same empty C function called directly,
// through bare libffi, typed through cbridge::call and dynamically through
// ForeignFunction; the Go peer (bench/peers/go/cgo) calls it through cgo.
// The cbridge calls run inside a task, as managed code makes them.
#include <benchmark/benchmark.h>
#include <cbridge/call.hpp>
#include <cbridge/cbridge.hpp>
#include <cbridge/dynamic.hpp>
#include <ffi.h>

extern "C" void cbridge_bench_empty(void);

namespace {

void BM_DirectCall(benchmark::State& state) {
  void (*volatile fn)(void) = cbridge_bench_empty;  // keep the call
  for (auto _ : state) fn();
}
BENCHMARK(BM_DirectCall);

void BM_BareFfiCall(benchmark::State& state) {
  ffi_cif cif;
  ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 0, &ffi_type_void, nullptr);
  for (auto _ : state) ffi_call(&cif, FFI_FN(cbridge_bench_empty), nullptr, nullptr);
}
BENCHMARK(BM_BareFfiCall);

void BM_TypedCall(benchmark::State& state) {
  cbridge::run([&] {
    for (auto _ : state) cbridge::call(cbridge_bench_empty);
  });
}
BENCHMARK(BM_TypedCall)->UseRealTime();

void BM_DynamicCall(benchmark::State& state) {
  cbridge::ForeignFunction f(reinterpret_cast<void*>(cbridge_bench_empty), "void(void)");
  cbridge::run([&] {
    for (auto _ : state) f.call(nullptr, nullptr);
  });
}
BENCHMARK(BM_DynamicCall)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
