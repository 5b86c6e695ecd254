// SPDX-License-Identifier: MIT
// The scenario of CBRIDGE_DEBUG=schedtrace and scheddetail
// (runtime/schedtrace.cpp).
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "testprogs/pipe.hpp"
#include "testprogs/testprog.hpp"

namespace {

std::atomic<bool> released{false};
std::atomic<bool> inForeignCall{false};

// waitInC is the foreign call in flight: it waits in C until released.
extern "C" void waitInC() {
  inForeignCall = true;
  while (!released) usleep(1000);
}

// schedtraceState sets up something for each field of the trace — a task
// parked on a channel, a task in a foreign call, a C thread calling a
// callback over and over — and only then sends stderr into a pipe, so
// that every SCHED line read from it was printed with all of it in place.
// It reads until the fourth SCHED line and writes the three complete ones
// (with their detail lines, under scheddetail) to stdout after a marker:
// not to stderr, where the runtime goes on tracing and its lines could land
// inside the block (Windows' C runtime writes a text-mode fprintf in
// pieces). With no trace it waits for ever: its test's timeout says so.
int schedtraceState() {
  cbridge::Chan<int> never;
  cbridge::WaitGroup parked;
  parked.add(1);
  cbridge::go([never, &parked]() mutable {
    parked.done();
    never.recv();
  });
  parked.wait();
  cbridge::go([] { cbridge::call(waitInC); });
  std::atomic<long> callbacks{0};
  cbridge::Callback<void()> cb([&callbacks] { callbacks++; });
  std::thread caller([&cb] {
    while (!released) {
      cb.fn()();
      usleep(100);
    }
  });
  while (!inForeignCall || callbacks == 0) usleep(1000);
  int fds[2];
  if (testprog::openPipe(fds) != 0) return 1;
  int saved = dup(2);
  dup2(fds[1], 2);
  close(fds[1]);
  std::string trace;
  FILE* in = fdopen(fds[0], "r");
  char line[1024];
  for (int sched = 0; std::fgets(line, sizeof line, in) != nullptr;) {
    if (std::strncmp(line, "SCHED ", 6) == 0 && ++sched == 4) break;
    if (sched > 0) trace += line;
  }
  dup2(saved, 2);
  fclose(in);
  released = true;
  caller.join();
  never.close();
  std::printf("--- traced ---\n%s", trace.c_str());
  return 0;
}

testprog::Register r1("SchedtraceState", schedtraceState);

}  // namespace
