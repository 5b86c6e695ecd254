// SPDX-License-Identifier: MIT
// A dump's walk of a stack that vanishes under it. The dump does not stop
// the world: a task may end while another thread walks its stack, and its
// stack be freed (sysFree, when the free Gs keep more stacks than the
// runtime holds on to). The walk is guarded (traceback.hpp: sigsetjmp on
// Linux, a resumed vectored handler on Windows), so the fault ends that
// task's stack with a note, never the process.
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "runtime/os.hpp"
#include "runtime/runtime2.hpp"
#include "runtime/stack.hpp"
#include "testprogs/testprog.hpp"

namespace {

namespace rt = cbridge::rt;
using namespace std::chrono_literals;

std::atomic<rt::G*> parkedG{nullptr};

__attribute__((noinline)) void parkForever(cbridge::Chan<int> c) {
  parkedG.store(rt::getg());
  c.recv();
}

// DumpOfAStackThatVanished: a task parks for good; the page of its stack
// that holds its saved context, the first thing a walk reads, is made
// inaccessible (sysFault), as a freed stack's would be. Then the dump
// walks it, and the program goes on: it prints the dump, then
// "survived". The task is never woken: its stack is not its own any
// more.
int dumpOfAStackThatVanished() {
  return cbridge::run([] {
    static cbridge::Chan<int> never;
    cbridge::go([] { parkForever(never); });
    rt::G* gp;
    while ((gp = parkedG.load()) == nullptr || gp->status.load() != rt::GStatus::Waiting) cbridge::sleep_for(1ms);
    uintptr_t page = rt::physpagesize();
    uintptr_t at = reinterpret_cast<uintptr_t>(gp->ctx) & ~(page - 1);
    if (at < gp->stack->lo || at + page > gp->stack->hi || !rt::sysFault(reinterpret_cast<void*>(at), page)) {
      std::printf("cannot make the parked task's stack inaccessible\n");
      return 1;
    }
    std::fflush(stdout);
    cbridge::dump(stdout);
    std::printf("survived\n");
    return 0;
  });
}

testprog::Register r1("DumpOfAStackThatVanished", dumpOfAStackThatVanished);

}  // namespace
