// SPDX-License-Identifier: MIT
// Foreign-call benchmarks: the same empty C function called directly,
// through bare libffi, typed through cbridge::call, dynamically through
// ForeignFunction, and from the C API: prepared (cbridge_fn_call) and by
// signature string (cbridge_call, a hit in the signature cache); the Go
// peer (bench/peers/go/cgo) calls it through cgo.
// The cbridge calls run inside a task, as managed code makes them.
#include <benchmark/benchmark.h>
#include <cbridge/call.hpp>
#include <cbridge/cbridge.h>
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

void BM_CFnCall(benchmark::State& state) {
  cbridge_fn* f = cbridge_fn_new(reinterpret_cast<void*>(cbridge_bench_empty), "void(void)");
  cbridge::run([&] {
    for (auto _ : state) cbridge_fn_call(f, nullptr, nullptr);
  });
  cbridge_fn_free(f);
}
BENCHMARK(BM_CFnCall)->UseRealTime();

void BM_CCallByString(benchmark::State& state) {
  void* fn = reinterpret_cast<void*>(cbridge_bench_empty);
  cbridge::run([&] {
    for (auto _ : state) cbridge_call(fn, "void(void)", nullptr, nullptr);
  });
}
BENCHMARK(BM_CCallByString)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
