// SPDX-License-Identifier: MIT
// shutdown() lets the callbacks in flight finish (issue #11.16): it used
// to leave the C threads inside them blocked for good, and a C library's
// pthread_join at teardown then hung.
//
// shutdown_midcallback KIND N: N C threads loop calling a callback 200
// times; its handler sleeps 1 ms (KIND sleep), waits on a channel a task
// feeds (chan), or returns at once (busy). Main calls shutdown() once 20
// calls have returned, then joins the threads (a hang ends in ctest's
// timeout). Calls after shutdown get the documented zero result. Prints
// "joined N of N".
#include <cbridge/callback.hpp>
#include <cbridge/cbridge.hpp>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static std::atomic<long> calls{0};
static int (*fn)(int);

static void* caller(void*) {
  for (int i = 0; i < 200; i++) {
    int r = fn(1);
    if (r != 2 && r != 0) {
      std::fprintf(stderr, "wrong result %d\n", r);
      _exit(3);
    }
    calls.fetch_add(1);
  }
  return nullptr;
}

int main(int argc, char** argv) {
  const char* kind = argc > 1 ? argv[1] : "sleep";
  int n = argc > 2 ? std::atoi(argv[2]) : 4;
  cbridge::Chan<int> ch(0);
  cbridge::Callback<int(int)> cb([kind, ch](int x) mutable {
    if (std::strcmp(kind, "sleep") == 0) cbridge::sleep_for(std::chrono::milliseconds(1));
    if (std::strcmp(kind, "chan") == 0) (void)ch.recv();
    return x + 1;
  });
  fn = cb.fn();
  cbridge::run([] {});
  if (std::strcmp(kind, "chan") == 0)
    cbridge::go([ch]() mutable {
      for (;;) {
        ch.send(1);
        cbridge::sleep_for(std::chrono::microseconds(100));
      }
    });
  pthread_t ts[64];
  if (n > 64) n = 64;
  for (int i = 0; i < n; i++) pthread_create(&ts[i], nullptr, caller, nullptr);
  while (calls.load() < 20) usleep(100);
  cbridge::shutdown();
  for (int i = 0; i < n; i++) pthread_join(ts[i], nullptr);
  std::printf("joined %d of %d\n", n, n);
  return 0;
}
