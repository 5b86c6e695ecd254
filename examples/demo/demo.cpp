// SPDX-License-Identifier: MIT
// The cbridge demo: what cbridge is for, one step a line, with the figures
// measured on this machine.
//
// Managed code runs as tasks (cbridge::run, cbridge::go). Tasks call C:
// typed, by signature string, through a library opened at run time. C
// calls managed code back through Callbacks (real C function pointers):
// from inside a call (nested), from threads of its own, and from
// coroutines that switch stacks between calls. Handlers may park (on
// channels and timers) and do network I/O; only their task waits, never a
// scheduler thread. The C side is plain C that knows nothing of cbridge
// (demo_c.h). Every step checks its result; the program exits 1 if one is
// wrong.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <math.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "demo_c.h"

using namespace std::chrono_literals;

namespace {

bool g_allOk = true;

// step prints one step's line, its result last: "ok", or "FAILED".
void step(bool ok, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vprintf(fmt, ap);
  va_end(ap);
  std::printf(": %s\n", ok ? "ok" : "FAILED");
  std::fflush(stdout);
  g_allOk = g_allOk && ok;
}

// nsPerCall times n calls of f(i).
template <typename F>
double nsPerCall(long n, F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; i++) f(i);
  std::chrono::duration<double, std::nano> d = std::chrono::steady_clock::now() - t0;
  return d.count() / double(n);
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// libm's functions through pointers, so every call is a real C call.
double (*const c_cos)(double) = ::cos;
void (*const c_qsort)(void*, size_t, size_t, int (*)(const void*, const void*)) = ::qsort;

constexpr long kCalls = 200000;

// 1. A task calls libm's cos: typed (cbridge::call, no libffi) and by
// signature string (the C API's cbridge_call: parsed once, then looked up
// in a cache). Both must give what a direct call of cos gives.
void callingC() {
  double want = 0, typed = 0, byString = 0;
  for (long i = 0; i < 1000; i++) want += c_cos(double(i) / 1000);
  double nsTyped = nsPerCall(kCalls, [&](long i) {
    double r = cbridge::call(c_cos, double(i % 1000) / 1000);
    if (i < 1000) typed += r;
  });
  step(typed == want, "1. typed call, cbridge::call(cos, x): %.0f ns a call over %ld calls", nsTyped,
       kCalls);

  int failures = 0;
  double nsString = nsPerCall(kCalls, [&](long i) {
    double x = double(i % 1000) / 1000, r = 0;
    void* args[] = {&x};
    if (cbridge_call(reinterpret_cast<void*>(c_cos), "double(double)", &r, args) != CBRIDGE_OK) failures++;
    if (i < 1000) byString += r;
  });
  step(failures == 0 && byString == want,
       "   by signature, cbridge_call(cos, \"double(double)\", ...): %.0f ns a call", nsString);
}

// 2. qsort with a managed comparator: C's qsort, called from a task,
// calls the Callback back for every comparison.
long sortWithManagedComparator() {
  std::vector<int> v(20000);
  unsigned seed = 12345;
  for (int& x : v) x = int((seed = seed * 1103515245u + 12345u) >> 8);
  long compares = 0;
  cbridge::Callback<int(const void*, const void*)> byValue([&](const void* a, const void* b) {
    compares++;
    int x = *static_cast<const int*>(a), y = *static_cast<const int*>(b);
    return (x > y) - (x < y);
  });
  auto t0 = std::chrono::steady_clock::now();
  cbridge::call(c_qsort, v.data(), v.size(), sizeof(int), byValue.fn());
  double ns = msSince(t0) * 1e6 / double(std::max(compares, 1L));
  step(std::is_sorted(v.begin(), v.end()) && compares > 0,
       "2. qsort of %zu ints with a managed comparator: %ld comparisons, %.0f ns each", v.size(),
       compares, ns);
  return compares;
}

// 3. A library opened at run time, and a prepared call: the signature is
// parsed once into a ForeignFunction, which is then called many times.
void preparedCall() {
  cbridge::Library libm("libm.so.6");
  cbridge::ForeignFunction pow = libm.function("pow", "double(double, double)");
  double two = 2, ten = 10, r = 0;
  void* args[] = {&two, &ten};
  double ns = nsPerCall(kCalls, [&](long) { pow.call(&r, args); });
  step(r == 1024, "3. %s opened, pow bound as \"%s\": pow(2, 10) = %g, %.0f ns a call",
       libm.path().c_str(), pow.signature().c_str(), r, ns);
}

// readLine reads up to '\n' (or the end) from conn.
std::string readLine(cbridge::net::Conn& conn) {
  std::string s;
  char c;
  while (conn.read(&c, 1).n == 1 && c != '\n') s += c;
  return s;
}

constexpr int kPoolThreads = 4;

// 4. A C thread pool calls managed handlers. Each handler parks twice
// (for a free slot on a channel, then on a timer) and asks a server task
// on 127.0.0.1 for the square of its job number. The task that called the
// pool waits in a foreign call meanwhile: its P goes to other work.
long threadPoolWithIo() {
  auto [ln, err] = cbridge::net::listen_tcp("127.0.0.1", 0);
  if (err) {
    step(false, "4. listen on 127.0.0.1: %s", err.message().c_str());
    return 0;
  }
  cbridge::WaitGroup serverDone;
  serverDone.add(1);
  cbridge::go([l = ln, &serverDone]() mutable {
    while (true) {
      auto [conn, e] = l.accept();
      if (e) break;  // the listener was closed
      cbridge::go([conn]() mutable {
        long n = std::atol(readLine(conn).c_str());
        std::string reply = std::to_string(n * n) + "\n";
        conn.write(reply.data(), reply.size());
        conn.close();
      });
    }
    serverDone.done();
  });

  cbridge::Chan<int> slots(2);  // at most two exchanges at a time
  slots.send(0);
  slots.send(0);
  cbridge::Mutex mu;
  std::set<int64_t> handlerMs;  // the Ms the handlers ran on; guarded by mu
  uint16_t port = ln.port();
  cbridge::Callback<int(int)> square([&](int job) {
    slots.recv();                  // parks this handler's task until a slot is free
    cbridge::sleep_for(1ms);       // parks it on a timer
    auto [conn, e] = cbridge::net::dial_tcp("127.0.0.1", port, 5s);
    int result = -1;
    if (!e) {
      std::string msg = std::to_string(job) + "\n";
      conn.write(msg.data(), msg.size());
      result = std::atoi(readLine(conn).c_str());  // parks until the server answers
      conn.close();
    }
    slots.send(0);
    std::lock_guard<cbridge::Mutex> g(mu);
    handlerMs.insert(cbridge::m_id());
    return result;
  });

  const int threads = kPoolThreads, jobs = 8, n = threads * jobs;
  auto t0 = std::chrono::steady_clock::now();
  long sum = cbridge::call(pool_run, threads, jobs, square.fn());
  double elapsed = msSince(t0);
  ln.close();
  serverDone.wait();
  long want = long(n - 1) * n * (2 * n - 1) / 6;  // the sum of the squares of 0..n-1
  step(sum == want && handlerMs.size() == size_t(threads),
       "4. %d C threads called %d handlers that parked and talked TCP to a task: sum %ld, on %zu Ms, %.1f ms",
       threads, n, sum, handlerMs.size(), elapsed);
  return n;
}

// 5. A nested call: a task calls C, which calls a Callback, which runs on
// that same task (managed -> C -> managed), even when the handler parks.
long nestedCall() {
  const uint64_t caller = cbridge::task_id();
  long onCaller = 0;
  cbridge::Callback<int(int)> twice([&](int i) {
    if (cbridge::task_id() == caller) onCaller++;
    if (i == 0) cbridge::sleep_for(1ms);  // parks, with C's frames below it
    return 2 * i;
  });
  const int n = 100000;
  auto t0 = std::chrono::steady_clock::now();
  long sum = cbridge::call(sum_calls, twice.fn(), n);
  double ns = msSince(t0) * 1e6 / n;
  step(sum == long(n) * (n - 1) && onCaller == n,
       "5. task -> C -> managed, %d round trips, all on the calling task: %.0f ns each", n, ns);
  return n;
}

// 6. Callbacks from ucontext coroutines: each call comes from another
// stack than the last, so cbridge refreshes the thread's stack bounds for
// it (and restores them when it returns). A thread's first callback came
// from coroutine 0, whose stack gave its M its bounds: its calls need no
// refresh, the other coroutines' all do. The best of three runs, each on a
// new C thread, beside the same coroutines calling a plain C function:
// what the switches (two swapcontext calls, each a system call) cost alone.
int plainOne(int) { return 1; }

constexpr int kCoroutineRuns = 3;

long coroutineCallbacks() {
  const int coros = 4, calls = 2500, n = coros * calls;
  long perCoro[coros] = {};
  cbridge::Callback<int(int)> count([&](int coro) {
    perCoro[coro]++;
    return 1;
  });
  uint64_t before = cbridge::stats().stack_bound_updates;
  bool sumsOk = true;
  double ns = 1e18, nsSwitches = 1e18;
  for (int run = 0; run < kCoroutineRuns; run++) {
    auto t0 = std::chrono::steady_clock::now();
    sumsOk = sumsOk && cbridge::call(coroutines_run, coros, calls, count.fn()) == n;
    ns = std::min(ns, msSince(t0) * 1e6 / n);
    t0 = std::chrono::steady_clock::now();
    sumsOk = sumsOk && cbridge::call(coroutines_run, coros, calls, plainOne) == n;
    nsSwitches = std::min(nsSwitches, msSince(t0) * 1e6 / n);
  }
  uint64_t refreshes = cbridge::stats().stack_bound_updates - before;
  bool even = std::all_of(perCoro, perCoro + coros, [&](long c) { return c == kCoroutineRuns * calls; });
  step(sumsOk && even && refreshes >= uint64_t(kCoroutineRuns * (n - calls)),
       "6. %d callbacks from %d ucontext coroutines on %d C threads: %llu bound refreshes,\n"
       "   %.0f ns a callback with its switches (%.0f ns for a plain C function with them)",
       kCoroutineRuns * n, coros, kCoroutineRuns, static_cast<unsigned long long>(refreshes), ns, nsSwitches);
  return kCoroutineRuns * n;
}

// 7. The runtime's counters at the end. Every callback was counted; each
// C thread bound an M on its first callback (the others found
// it cached, or ran nested on a runtime M); the threads have exited and
// their Ms wait, cached, for the next C thread.
void finalStats(long callbacksMade, int cThreads) {
  cbridge::Stats s = cbridge::stats();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  step(s.callbacks == uint64_t(callbacksMade) && s.callbacks - s.callback_cache_hits == uint64_t(cThreads) &&
           s.extra_ms_in_use == 0 && s.extra_ms_idle > 0,
       "7. stats(): %llu callbacks (%llu on a thread's cached M), %llu Ms created, extra Ms %llu cached / %llu in use,\n"
       "   %llu P hand-offs (syscall_retakes), %llu bound refreshes (stack_bound_updates), %llu tasks",
       u(s.callbacks), u(s.callback_cache_hits), u(s.ms_created), u(s.extra_ms_idle), u(s.extra_ms_in_use),
       u(s.syscall_retakes), u(s.stack_bound_updates), u(s.tasks_created));
}

}  // namespace

int main() {
  long callbacks = 0;
  cbridge::run([&] {
    std::printf("cbridge %s demo: tasks calling C, and C calling back (%d Ps)\n\n", cbridge_version_string(),
                cbridge::stats().procs);
    callingC();
    callbacks += sortWithManagedComparator();
    preparedCall();
    callbacks += threadPoolWithIo();
    callbacks += nestedCall();
    callbacks += coroutineCallbacks();
  });
  finalStats(callbacks, kPoolThreads + kCoroutineRuns);  // the C threads: the pool's and the coroutines'
  std::printf("\n%s\n", g_allOk ? "all steps ok" : "some steps FAILED");
  return g_allOk ? 0 : 1;
}
