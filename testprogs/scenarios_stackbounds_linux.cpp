// SPDX-License-Identifier: MIT
// Scenarios of callbacks arriving on stacks that C code switched:
// ucontext, Boost.Context, Boost.Fiber, many coroutines, and a switch under
// managed frames (fatal).
#include <boost/context/fiber.hpp>
#include <boost/fiber/all.hpp>
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "testprogs/stackswitch.h"
#include "testprogs/testprog.hpp"

namespace {

std::atomic<long> calls{0};
std::atomic<long> bad{0};

extern "C" int addOne(int x) { return x + 1; }

// gzeroWork runs runtime code on g0 from the handler: it starts a task and
// waits for it on a channel, arms a timer, and makes a foreign call.
void g0Work() {
  cbridge::Chan<int> c(1);
  cbridge::go([c]() mutable { c.send(7); });
  cbridge::sleep_for(std::chrono::microseconds(50));
  if (c.recv() != 7) bad++;
  if (cbridge::call(addOne, 1) != 2) bad++;
  calls++;
}

cbridge::Callback<void()>& handler() {
  static auto* cb = new cbridge::Callback<void()>(g0Work);
  return *cb;
}

int report(long want) {
  std::printf("%s\n", calls == want && bad == 0 ? "OK" : "FAIL");
  if (calls != want || bad != 0)
    std::printf("calls=%ld want=%ld bad=%ld\n", calls.load(), want, bad.load());
  return 0;
}

int stackSwitchCallback() {
  stackswitch_run(handler().fn());
  return report(5);
}

int stackSwitchBoostContext() {
  namespace ctx = boost::context;
  std::thread t([] {
    void (*cb)() = handler().fn();
    cb();  // the thread's stack
    ctx::fiber f([cb](ctx::fiber&& back) {
      cb();  // the fiber's stack
      back = std::move(back).resume();
      cb();
      return std::move(back);
    });
    f = std::move(f).resume();
    cb();
    f = std::move(f).resume();
    // And a fiber on an 8 MiB stack.
    ctx::fiber big(std::allocator_arg, ctx::protected_fixedsize_stack(8 << 20),
                   [cb](ctx::fiber&& back) {
                     cb();
                     return std::move(back);
                   });
    big = std::move(big).resume();
  });
  t.join();
  return report(5);
}

int stackSwitchBoostFiber() {
  std::thread t([] {
    void (*cb)() = handler().fn();
    std::vector<boost::fibers::fiber> fibers;
    for (int i = 0; i < 4; i++)
      fibers.emplace_back([cb] {
        for (int k = 0; k < 25; k++) {
          cb();
          boost::this_fiber::yield();  // the next callback comes from another fiber's stack
        }
      });
    for (auto& f : fibers) f.join();
  });
  t.join();
  return report(100);
}

int stackSwitchManyCoroutines() {
  // A lighter handler: 256,000 callbacks.
  static cbridge::Callback<void()> light([] { calls++; });
  stackswitch_many(light.fn(), 4, 64, 1000);
  return report(4L * 64 * 1000);
}

int stackSwitchUnderManagedFrames() {
  static cbridge::Callback<void()> cb([] { std::printf("not reached\n"); });
  std::printf("start\n");
  std::fflush(stdout);
  cbridge::run([] { cbridge::call(stackswitch_under_managed_frames, cb.fn()); });
  std::printf("not reached\n");
  return 0;
}

testprog::Register r1("StackSwitchCallback", stackSwitchCallback);
testprog::Register r2("StackSwitchBoostContext", stackSwitchBoostContext);
testprog::Register r3("StackSwitchBoostFiber", stackSwitchBoostFiber);
testprog::Register r4("StackSwitchManyCoroutines", stackSwitchManyCoroutines);
testprog::Register r5("StackSwitchUnderManagedFrames", stackSwitchUnderManagedFrames);

}  // namespace
