// SPDX-License-Identifier: MIT
// Exit never runs a task under a destroyed static (issue #11.17).
//
// exit_late_static MODE: the runtime starts, then main makes a
// function-local static map (its destructor is registered after the
// runtime's atexit entry, so it runs first) and starts 4 tasks that loop
// sleeping and reading the map; then it ends by MODE: "return" from main,
// or "exit" (exit(0) from main). A task reading the map while exit
// destroys it crashed (SIGSEGV in the map's iterator). Prints "exiting".
#include <cbridge/cbridge.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

static std::atomic<long> sum{0};

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "return";
  cbridge::run([] {});  // the runtime's atexit entry is registered now
  static std::map<int, std::string> late;
  for (int i = 0; i < 1000; i++) late[i] = std::string(100, 'x');
  for (int k = 0; k < 4; k++)
    cbridge::go([] {
      for (;;) {
        cbridge::sleep_for(std::chrono::microseconds(10));
        for (auto& [key, v] : late) sum.fetch_add(long(v.size()) + key, std::memory_order_relaxed);
      }
    });
  while (sum.load() == 0) usleep(100);  // the tasks are reading the map
  usleep(1000);
  std::printf("exiting\n");
  std::fflush(stdout);
  if (std::strcmp(mode, "exit") == 0) std::exit(0);
  return 0;
}
