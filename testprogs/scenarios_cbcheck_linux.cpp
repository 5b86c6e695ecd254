// SPDX-License-Identifier: MIT
// The CBRIDGE_DEBUG=cbcheck scenario that needs a coroutine (ucontext,
// Linux's; the portable ones are in scenarios_cbcheck.cpp): a callback
// whose stack lies above the foreign call it is nested in.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <ucontext.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <thread>

#include "testprogs/testprog.hpp"

namespace {

// The coroutine: callOnStack, a foreign function, runs cb on stack.
ucontext_t coCaller, coCallee;
void (*coCallback)();
void coBody() { coCallback(); }

extern "C" void callOnStack(void (*cb)(), char* stack, size_t size) {
  coCallback = cb;
  getcontext(&coCallee);
  coCallee.uc_stack.ss_sp = stack;
  coCallee.uc_stack.ss_size = size;
  coCallee.uc_link = &coCaller;
  makecontext(&coCallee, coBody, 0);
  swapcontext(&coCaller, &coCallee);
}

std::atomic<int> innerCalls{0};
char* coStack;
size_t coStackSize;

cbridge::Callback<void()>& innerCallback() {
  static auto* cb = new cbridge::Callback<void()>([] { innerCalls++; });
  return *cb;
}

cbridge::Callback<void()>& outerCallback() {
  static auto* cb = new cbridge::Callback<void()>(
      [] { cbridge::call(callOnStack, innerCallback().fn(), coStack, coStackSize); });
  return *cb;
}

// aboveForeignCall is a C thread whose coroutine's stack is an array in
// its own top frame: above the frames of the callback it calls, whose
// handler makes a foreign call that switches to the coroutine, which calls
// back. Not instrumented by ASan, which could move the array to a fake
// stack off the thread's.
__attribute__((no_sanitize("address"), noinline)) void aboveForeignCall() {
  alignas(64) char stack[256 * 1024];
  coStack = stack;
  coStackSize = sizeof stack;
  outerCallback().fn()();
  asm volatile("" : : "r"(stack) : "memory");
}

int cbcheckStackAboveForeignCall() {
  std::thread t(aboveForeignCall);
  t.join();
  std::printf("callbacks from the coroutine: %d\n", innerCalls.load());
  return 0;
}

testprog::Register r1("CbcheckStackAboveForeignCall", cbcheckStackAboveForeignCall);

}  // namespace
