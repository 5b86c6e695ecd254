// SPDX-License-Identifier: MIT
// A C thread that ends inside a callback's handler (issue #11.10): the
// handler calls pthread_exit (at once, or after parking), or another
// thread cancels it at a cancellation point the handler reached. glibc
// ends the thread by unwinding its stack with a forced-unwind exception,
// which the callback passes on, whatever its OnException policy (it is not
// the handler's exception; swallowed, glibc aborts). The handler's task
// gives back its P, the thread's extra M goes back to the extra list at
// the thread's exit, and the runtime carries on: with one P, tasks and
// other threads' callbacks still run. Prints PASS.
//
// callback_thread_exit HOW POLICY: HOW is exit, exit-parked or cancel;
// POLICY is fatal or zero. callback_thread_exit nested: the thread ends
// inside a callback nested in a foreign call, which is fatal.
#include <cbridge/call.hpp>
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.h>
#include <cbridge/task.hpp>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

namespace {

std::atomic<bool> entered{false};

void* callOne(void* fn) {
  reinterpret_cast<int (*)(int)>(fn)(1);
  printf("the call returned\n");  // not reached: the thread ends in it
  return nullptr;
}

extern "C" int callC(int (*f)(int), int x) { return f(x); }

uint64_t stat(const char* name) {
  uint64_t v = 0;
  cbridge_stat(name, &v);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string how = argc > 1 ? argv[1] : "exit";
  bool zero = argc > 2 && std::strcmp(argv[2], "zero") == 0;
  cbridge::Callback<int(int)> inner([](int) -> int { pthread_exit(nullptr); });
  cbridge::Callback<int(int)> cb(
      [&](int x) -> int {
        if (x == 0) return 1;
        if (how == "nested") return cbridge::call(callC, inner.fn(), x);
        if (how == "exit-parked") cbridge::sleep_for(std::chrono::milliseconds(1));
        if (how != "cancel") pthread_exit(nullptr);
        entered = true;
        for (;;) pause();  // a cancellation point
      },
      cbridge::CallbackOptions{zero ? cbridge::OnException::ReturnZero : cbridge::OnException::Fatal});
  for (int round = 0; round < 20; round++) {
    entered = false;
    pthread_t t;
    pthread_create(&t, nullptr, callOne, reinterpret_cast<void*>(cb.fn()));
    if (how == "cancel") {
      while (!entered) usleep(100);
      pthread_cancel(t);
    }
    void* res = nullptr;
    pthread_join(t, &res);
    if ((how == "cancel") != (res == PTHREAD_CANCELED)) {
      printf("FAIL: round %d: the thread did not end as asked\n", round);
      return 1;
    }
  }
  if (stat("extra_ms_in_use") != 0) {
    printf("FAIL: %llu extra Ms still in use\n", (unsigned long long)stat("extra_ms_in_use"));
    return 1;
  }
  if (!cb.last_error().empty()) {
    printf("FAIL: last_error \"%s\"\n", cb.last_error().c_str());
    return 1;
  }
  // The runtime carries on: tasks run (on the one P, which the ended
  // threads gave back: nothing else would free it), then another thread's
  // callback returns.
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; i++)
    cbridge::go([&] {
      cbridge::sleep_for(std::chrono::milliseconds(1));
      ran++;
    });
  while (ran < 10) usleep(1000);
  pthread_t t;
  int got = 0;
  auto* args = new std::pair<void*, int*>(reinterpret_cast<void*>(cb.fn()), &got);
  pthread_create(&t, nullptr, [](void* p) -> void* {
    auto* a = static_cast<std::pair<void*, int*>*>(p);
    *a->second = reinterpret_cast<int (*)(int)>(a->first)(0);
    return nullptr;
  }, args);
  pthread_join(t, nullptr);
  delete args;
  printf(got == 1 ? "PASS\n" : "FAIL: the later callback returned %d\n", got);
  return got != 1;
}
