// SPDX-License-Identifier: MIT
// The first program of the whole runtime under Wine: libcbridge itself,
// built from the same sources for Linux and (cross, with mingw-w64) for
// Windows, driven through the public API only, as a user's program would.
// Each part prints what it computed, never a time or an id, so the Linux
// and Wine outputs must be the same line for line (scripts/test-windows):
//   - cbridge::run and 1000 tasks passing tokens along a ring of
//     unbuffered channels, then summing into a buffered one;
//   - a WaitGroup released by 100 tasks that sleep_for different times
//     (timers, and the scheduler parking and waking Ms);
//   - select over two producers' channels and a timer, and a Mutex
//     taken 10,000 times by 100 tasks that yield while they hold it;
//   - cbridge::call of C functions (the foreign-call switch to g0's
//     stack: asmcgocall, the TEB's stack description on Windows);
//   - cbridge_call by signature string through the C API (the register
//     path, regcall, and ffi_call for the signatures that need it);
//   - a Callback called from a thread the runtime never made (an extra M
//     for a foreign thread), and one nested in a foreign call;
//   - cbridge::dump walking tasks that are not running: one parked, one
//     in a foreign call. The check is by address: the return address
//     each task recorded into a marker function must be a frame of the
//     dump (pc=); then that frame must name the marker and this file,
//     and the frames of the runtime below it their files in runtime/
//     (libbacktrace on Linux; on Windows the image's own symbols and
//     DWARF, runtime/symtab_windows.cpp). This file is built with DWARF
//     4 and the library with GCC's default 5, so that both versions of
//     the line table are read.
// Its last line says the run ended; a hang or crash fails the comparison.
#include <cbridge/cbridge.h>

#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/chan.hpp>
#include <cbridge/mutex.hpp>
#include <cbridge/runtime.hpp>
#include <cbridge/select.hpp>
#include <cbridge/task.hpp>
#include <cbridge/timer.hpp>
#include <cbridge/waitgroup.hpp>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern "C" {
// The foreign functions: compiled C-callable code, called through
// cbridge::call and cbridge_call.
int64_t sched_mix(int64_t a, double b, int32_t c, float d) {
  return a * 3 + int64_t(b * 4) + c + int64_t(d * 8);
}
double sched_scale(double x, int32_t k) { return x * k; }
int sched_sum6(int a, int b, int c, int d, int e, int f) { return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f; }
// Calls cb(i) for i in [0, n) and sums the results: a callback nested in
// a foreign call.
int sched_each(int (*cb)(int), int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += cb(i);
  return s;
}
// Returns once *release is set: a foreign call that lasts while a dump
// walks the task that made it.
void sched_wait_for(std::atomic<int>* release) {
  while (release->load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}
}

namespace {

using namespace std::chrono_literals;

// 1000 tasks in a ring: task i receives a token from in[i], adds i, and
// passes it on; the token goes round the ring 3 times.
void ring() {
  constexpr int kTasks = 1000, kRounds = 3;
  std::vector<cbridge::Chan<int64_t>> ch;
  for (int i = 0; i < kTasks; i++) ch.emplace_back(0);
  cbridge::Chan<int64_t> done(1);
  for (int i = 0; i < kTasks; i++) {
    cbridge::go([i, in = ch[i], out = ch[(i + 1) % kTasks], done]() mutable {
      for (int r = 0; r < kRounds; r++) {
        int64_t v = *in.recv() + i;
        if (i == kTasks - 1 && r == kRounds - 1)
          done.send(v);
        else
          out.send(v);
      }
    });
  }
  ch[0].send(0);
  std::printf("ring: %d tasks, %d rounds, token %lld\n", kTasks, kRounds, (long long)*done.recv());

  // Fan-in: each task sends its square to one buffered channel.
  cbridge::Chan<int64_t> sq(64);
  for (int i = 0; i < kTasks; i++) cbridge::go([i, sq]() mutable { sq.send(int64_t(i) * i); });
  int64_t sum = 0;
  for (int i = 0; i < kTasks; i++) sum += *sq.recv();
  std::printf("fan-in: sum of squares below %d is %lld\n", kTasks, (long long)sum);
}

// 100 tasks sleep (i % 5) * 10 ms each; a WaitGroup waits for them all.
// A timer never fires early, so each must have slept at least its time
// (how much later it woke depends on the machine: not printed).
void sleepers() {
  constexpr int kTasks = 100;
  cbridge::WaitGroup wg;
  cbridge::Chan<int> fullSleeps(kTasks);
  wg.add(kTasks);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kTasks; i++) {
    cbridge::go([i, &wg, fullSleeps]() mutable {
      auto d = std::chrono::milliseconds((i % 5) * 10);
      auto start = std::chrono::steady_clock::now();
      cbridge::sleep_for(d);
      fullSleeps.send(std::chrono::steady_clock::now() - start >= d ? 1 : 0);
      wg.done();
    });
  }
  wg.wait();
  bool waited = std::chrono::steady_clock::now() - t0 >= 40ms;
  int full = 0;
  for (int i = 0; i < kTasks; i++) full += *fullSleeps.recv();
  std::printf("sleepers: %d tasks woke, %d slept their full time, the wait lasted 40 ms or more: %s\n",
              kTasks, full, waited ? "yes" : "no");
}

// Two producers close their channels when done; a select drains both
// until both are closed, with a timer case that must not fire first.
void selects() {
  cbridge::Chan<int> a(4), b(0);
  cbridge::go([a]() mutable {
    for (int i = 1; i <= 50; i++) a.send(i);
    a.close();
  });
  cbridge::go([b]() mutable {
    for (int i = 1; i <= 50; i++) b.send(i * 100);
    b.close();
  });
  auto timeout = cbridge::after(60s);
  bool aOpen = true, bOpen = true, timedOut = false;
  int64_t sum = 0;
  int fromA = 0, fromB = 0;
  while ((aOpen || bOpen) && !timedOut) {
    cbridge::select(
        cbridge::on_recv(a, [&](std::optional<int> v) {
          if (!v) {
            aOpen = false;
            a = cbridge::Chan<int>();  // never ready: the case drops out
            return;
          }
          sum += *v;
          fromA++;
        }),
        cbridge::on_recv(b, [&](std::optional<int> v) {
          if (!v) {
            bOpen = false;
            b = cbridge::Chan<int>();
            return;
          }
          sum += *v;
          fromB++;
        }),
        cbridge::on_recv(timeout, [&](auto) { timedOut = true; }));
  }
  std::printf("select: %d from a, %d from b, sum %lld, timed out: %s\n", fromA, fromB, (long long)sum,
              timedOut ? "yes" : "no");

  cbridge::Mutex mu;
  cbridge::WaitGroup wg;
  int64_t counter = 0;
  wg.add(100);
  for (int t = 0; t < 100; t++) {
    cbridge::go([&] {
      for (int i = 0; i < 100; i++) {
        std::lock_guard<cbridge::Mutex> g(mu);
        int64_t c = counter;
        if (i % 10 == 0) cbridge::yield();
        counter = c + 1;
      }
      wg.done();
    });
  }
  wg.wait();
  std::printf("mutex: counter %lld\n", (long long)counter);
}

void calls() {
  std::printf("call: sched_mix = %lld\n",
              (long long)cbridge::call(sched_mix, int64_t(-7), 2.75, int32_t(100), 0.5f));
  std::printf("call: sched_scale = %.3f\n", cbridge::call(sched_scale, 1.25, int32_t(-6)));

  // Through the C API, by signature: 4 arguments of mixed types (the
  // register path on both ABIs), 6 ints (Win64: two on the stack, so
  // ffi_call), a double result.
  int64_t a = 11;
  double b = -1.5;
  int32_t c = 1000;
  float d = 0.25f;
  void* args4[] = {&a, &b, &c, &d};
  int64_t r64 = 0;
  int rc = cbridge_call(reinterpret_cast<void*>(sched_mix), "int64_t(int64_t, double, int32_t, float)",
                        &r64, args4);
  std::printf("cbridge_call: sched_mix rc %d = %lld\n", rc, (long long)r64);
  int v[6] = {1, 2, 3, 4, 5, 6};
  void* args6[] = {&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]};
  int r = 0;
  rc = cbridge_call(reinterpret_cast<void*>(sched_sum6), "int(int, int, int, int, int, int)", &r, args6);
  std::printf("cbridge_call: sched_sum6 rc %d = %d\n", rc, r);
  double x = 2.5;
  int32_t k = 3;
  void* args2[] = {&x, &k};
  double rd = 0;
  rc = cbridge_call(reinterpret_cast<void*>(sched_scale), "double(double, int32_t)", &rd, args2);
  std::printf("cbridge_call: sched_scale rc %d = %.3f\n", rc, rd);
  rc = cbridge_call(reinterpret_cast<void*>(sched_scale), "double(dubble)", &rd, args2);
  std::printf("cbridge_call: a bad signature: rc %d (%s)\n", rc,
              rc == CBRIDGE_ERR_SIGNATURE ? "CBRIDGE_ERR_SIGNATURE" : "?");
}

void callbacks() {
  // Nested: a task calls C, which calls back into managed code, which
  // parks (a timer) before it returns.
  cbridge::Chan<int> seen(16);
  cbridge::Callback<int(int)> square([&](int i) {
    cbridge::sleep_for(1ms);
    seen.send(i);
    return i * i;
  });
  int s = cbridge::call(sched_each, square.fn(), 10);
  int n = 0;
  while (seen.try_recv()) n++;
  std::printf("callback nested in a call: sum %d, %d calls seen\n", s, n);

  // From a thread the runtime never made: the callback sends to a task
  // of the program, which waits for it.
  cbridge::Chan<int> fromThread(0);
  cbridge::Callback<int(int)> post([&](int i) {
    fromThread.send(i);
    return i + 1;
  });
  int threadSum = 0;
  std::thread t([&] {
    for (int i = 0; i < 5; i++) threadSum += post.fn()(i * 10);
  });
  int got = 0;
  for (int i = 0; i < 5; i++) got += *fromThread.recv();
  // The join blocks: a foreign call, so the task's P is not held by it.
  void (*join)(std::thread*) = [](std::thread* th) { th->join(); };
  cbridge::call(join, &t);
  std::printf("callback from a foreign thread: received %d, returned %d\n", got, threadSum);
}

// The markers: each task's stack passes through one, whose callee
// records its return address into the marker, the pc the walk's frame in
// the marker prints. noinline and the empty asm after the call keep each
// a frame of its own, not inlined into its caller nor tail-calling.
std::atomic<uintptr_t> parkedRet{0}, callRet{0};

__attribute__((noinline)) void park_on(cbridge::Chan<int>& ch) {
  parkedRet = uintptr_t(__builtin_return_address(0));
  ch.recv();
}

__attribute__((noinline)) void parked_in_marker(cbridge::Chan<int>& ch) {
  park_on(ch);
  asm volatile("");
}

__attribute__((noinline)) void call_wait(std::atomic<int>* release) {
  callRet = uintptr_t(__builtin_return_address(0));
  cbridge::call(sched_wait_for, release);
}

__attribute__((noinline)) void in_call_marker(std::atomic<int>* release) {
  call_wait(release);
  asm volatile("");
}

// A dump's text, from a temporary file. Not inlined, so that its caller's
// own frame in the dump is named after it on both OSes.
__attribute__((noinline)) std::string dumpText() {
  std::FILE* f = std::tmpfile();
  if (f == nullptr) return "";
  cbridge::dump(f);
  std::rewind(f);
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  return text;
}

// The dump's block (a task's, between blank lines) that has a frame at
// pc, or "".
std::string blockWith(const std::string& text, uintptr_t pc) {
  char needle[32];
  std::snprintf(needle, sizeof needle, "pc=0x%llx\n", (unsigned long long)pc);
  size_t at = text.find(needle);
  if (pc == 0 || at == std::string::npos) return "";
  size_t from = text.rfind("\n\n", at);
  size_t to = text.find("\n\n", at);
  from = from == std::string::npos ? 0 : from + 2;
  return text.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// The frame at pc in a block: its function's line and its file's.
std::string frameAt(const std::string& block, uintptr_t pc) {
  char needle[32];
  std::snprintf(needle, sizeof needle, "pc=0x%llx\n", (unsigned long long)pc);
  size_t at = block.find(needle);
  if (at == std::string::npos || at == 0) return "";
  size_t tab = block.rfind('\n', at);
  size_t from = tab == std::string::npos || tab == 0 ? std::string::npos : block.rfind('\n', tab - 1);
  from = from == std::string::npos ? 0 : from + 1;
  return block.substr(from, at - from);
}

// Whether a frame of the block below the one at pc is the runtime's,
// with its file and line: "\t.../runtime/<file>.cpp:<line> pc=".
bool runtimeFileBelow(const std::string& block, uintptr_t pc) {
  char needle[32];
  std::snprintf(needle, sizeof needle, "pc=0x%llx\n", (unsigned long long)pc);
  size_t end = block.find(needle);
  for (size_t at = block.find("/runtime/"); at < end; at = block.find("/runtime/", at + 1)) {
    size_t colon = block.find(".cpp:", at);
    size_t line = block.find('\n', at);
    if (colon < line && colon + 5 < block.size() && std::isdigit((unsigned char)block[colon + 5])) return true;
  }
  return false;
}

// The frames of a task's block: its stack's, not the "created by" line's.
int frames(const std::string& block) {
  size_t end = block.find("\ncreated ");
  int n = 0;
  for (size_t at = block.find("pc="); at < end; at = block.find("pc=", at + 1)) n++;
  return n;
}

void dumps() {
  cbridge::Chan<int> wake(0), done(2);
  std::atomic<int> release{0};
  cbridge::go([wake, done]() mutable {
    parked_in_marker(wake);
    done.send(1);
  });
  cbridge::go([&release, done]() mutable {
    in_call_marker(&release);
    done.send(1);
  });
  // Both tasks have recorded their markers' return addresses before they
  // park or call; a dump may still catch one just before, so the dump is
  // taken again until it shows both (or for 5 s).
  std::string parked, inCall;
  for (int i = 0; i < 500 && (parked.empty() || inCall.empty()); i++) {
    cbridge::sleep_for(10ms);
    std::string text = dumpText();
    parked = blockWith(text, parkedRet);
    inCall = blockWith(text, callRet);
  }
  // Below each marker's frame its callee's (and the park's, for the
  // parked task), above it its caller's.
  std::printf("dump: a parked task's stack passes through parked_in_marker: %s\n",
              !parked.empty() ? "yes" : "no");
  std::printf("dump: it shows frames below and above the marker: %s\n", frames(parked) >= 4 ? "yes" : "no");
  std::printf("dump: a task in a foreign call's stack passes through in_call_marker: %s\n",
              !inCall.empty() ? "yes" : "no");
  std::printf("dump: it shows frames below and above the marker: %s\n", frames(inCall) >= 3 ? "yes" : "no");
  std::string parkedFrame = frameAt(parked, parkedRet), callFrame = frameAt(inCall, callRet);
  std::printf("dump: the frames name their markers: %s\n",
              parkedFrame.find("parked_in_marker") != std::string::npos &&
                      callFrame.find("in_call_marker") != std::string::npos
                  ? "yes"
                  : "no");
  std::printf("dump: and this file, with a line: %s\n",
              parkedFrame.find("sched_test.cpp:") != std::string::npos &&
                      callFrame.find("sched_test.cpp:") != std::string::npos
                  ? "yes"
                  : "no");
  std::printf("dump: the runtime's frames below the park name their files: %s\n",
              runtimeFileBelow(parked, parkedRet) ? "yes" : "no");
  std::printf("dump: the dumping task's own stack is named: %s\n",
              dumpText().find("dumpText") != std::string::npos ? "yes" : "no");
  wake.send(1);
  release = 1;
  done.recv();
  done.recv();
}

}  // namespace

int main() {
  int r = cbridge::run([] {
    ring();
    sleepers();
    selects();
    calls();
    callbacks();
    dumps();
    return 42;
  });
  std::printf("run returned %d\n", r);
  std::fflush(stdout);
  return 0;
}
