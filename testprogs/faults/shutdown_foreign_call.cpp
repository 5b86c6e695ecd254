// SPDX-License-Identifier: MIT
// shutdown() does not wait for, nor report, a task that is in a foreign
// call (issue #11.11): the call may last as long as the C code likes, and
// its thread is not running managed code. It used to wait 1 s and print
// "thread(s) still running a task that did not yield".
//
// shutdown_foreign_call: a task calls sleep(3600) through cbridge::call;
// main calls shutdown() once the task is about to call, and returns.
// Prints "shutdown returned"; stderr stays empty.
#include <cbridge/call.hpp>
#include <cbridge/cbridge.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdio>

int main() {
  static std::atomic<bool> calling{false};
  cbridge::go([] {
    calling.store(true);
    cbridge::call(::sleep, 3600u);
  });
  while (!calling.load()) usleep(100);
  usleep(20000);  // let it enter C; any delay passes (a running task is not reported either)
  cbridge::shutdown();
  std::printf("shutdown returned\n");
  return 0;
}
