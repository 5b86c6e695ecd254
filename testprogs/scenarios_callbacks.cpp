// SPDX-License-Identifier: MIT
// Scenarios of callbacks that end a process or need one of their own.
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <pthread.h>

#include <cstdio>
#include <stdexcept>
#include <thread>

#include "testprogs/testprog.hpp"

namespace {

int callbackThrows() {
  cbridge::Callback<int(int)> cb([](int) -> int { throw std::runtime_error("handler failed"); });
  std::printf("calling\n");
  std::fflush(stdout);
  std::thread t([&] { cb.fn()(1); });
  t.join();
  std::printf("not reached\n");
  return 0;
}

int callbackAfterShutdown() {
  cbridge::Callback<int(int)> cb([](int x) { return x + 1; });
  std::thread([&] { std::printf("before: %d\n", cb.fn()(1)); }).join();
  cbridge::shutdown();
  // Said once per process, however many calls follow.
  for (int i = 0; i < 3; i++) std::thread([&] { std::printf("after: %d\n", cb.fn()(1)); }).join();
  return 0;
}

int callbackDestroyedInFlight() {
  cbridge::Chan<int> entered(1), release;
  auto* cb = new cbridge::Callback<int(int)>([&](int x) {
    entered.send(1);
    release.recv();  // parked while the Callback is destroyed
    return x * 2;
  });
  int (*fn)(int) = cb->fn();
  int result = 0;
  std::thread t([&] { result = fn(21); });
  entered.recv();
  delete cb;  // in flight: reported, freed when the call returns
  release.send(1);
  t.join();
  std::printf("result: %d\n", result);
  return 0;
}

testprog::Register r1("CallbackThrows", callbackThrows);
testprog::Register r2("CallbackAfterShutdown", callbackAfterShutdown);
testprog::Register r3("CallbackDestroyedInFlight", callbackDestroyedInFlight);

}  // namespace
