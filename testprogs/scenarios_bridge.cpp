// SPDX-License-Identifier: MIT
// Scenarios of foreign calls that need a process of their own.
#include <cbridge/call.hpp>
#include <cbridge/cbridge.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "testprogs/testprog.hpp"

namespace {

extern "C" void blockOneSecond() { sleep(1); }

// With one P, one task sits 1 s in a blocking C call while 100 others
// must keep running: sysmon hands the P to another M. Run with
// CBRIDGE_MAXPROCS=1.
int blockingCallHandoff() {
  cbridge::run([] {
    std::printf("procs=%d\n", cbridge::stats().procs);
    std::atomic<bool> inCall{false}, callDone{false};
    std::atomic<int> progressedDuringCall{0};
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&] {
      inCall = true;
      cbridge::call(blockOneSecond);
      callDone = true;
      wg.done();
    });
    while (!inCall) cbridge::yield();
    for (int i = 0; i < 100; i++) {
      wg.add(1);
      cbridge::go([&] {
        // Counts only if it ran while the blocking call was still going.
        if (!callDone) progressedDuringCall++;
        wg.done();
      });
    }
    wg.wait();
    std::printf("tasks that ran during the blocking call: %d\n", progressedDuringCall.load());
    std::printf("P retaken: %s\n", cbridge::stats().syscall_retakes > 0 ? "yes" : "no");
  });
  return 0;
}

testprog::Register r1("BlockingCallHandoff", blockingCallHandoff);

}  // namespace
