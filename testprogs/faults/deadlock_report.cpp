// SPDX-License-Identifier: MIT
// Tasks that are all asleep with nothing to wake them are reported under
// CBRIDGE_DEBUG=deadlock, once (issue #11.14; Go: "all goroutines are
// asleep - deadlock!", fatal there, a report here: a host thread may still
// wake them).
//
// deadlock_report MODE: 3 tasks wait forever on a channel; with "foreign"
// a task in a foreign call (a read of a pipe nobody writes) is started
// first: it may ready them when it returns, so no report then. Main waits
// until every M but the one in C is idle, then exits. (The report may come
// before the 3rd task starts: main could still wake them, which is why it
// is not fatal.) Prints "done".
#include <cbridge/call.hpp>
#include <cbridge/cbridge.hpp>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  bool foreign = argc > 1 && std::strcmp(argv[1], "foreign") == 0;
  alarm(60);  // watchdog for the wait below
  static int fds[2];
  if (pipe(fds) != 0) return 1;
  static std::atomic<bool> calling{false};
  if (foreign) {
    cbridge::go([] {
      char c;
      calling.store(true);
      cbridge::call(::read, fds[0], static_cast<void*>(&c), size_t(1));
    });
    while (!calling.load()) usleep(100);  // from here it is running or in C
  }
  cbridge::Chan<int> never;
  for (int i = 0; i < 3; i++) cbridge::go([never]() mutable { never.recv(); });
  int busy = foreign ? 1 : 0;
  for (;;) {
    cbridge::Stats s = cbridge::stats();
    if (s.tasks_created == uint64_t(3 + busy) && s.ms_idle == int32_t(s.ms_created) - busy) break;
    usleep(1000);
  }
  std::printf("done\n");
  return 0;
}
