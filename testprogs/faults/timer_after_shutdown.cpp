// SPDX-License-Identifier: MIT
// A Timer made after cbridge::shutdown() never fires, and says so (issue
// #11.14): one line on stderr for the whole process, and stop()/reset()
// return false. Before the fix it was silent. Prints PASS.
#include <cbridge/cbridge.hpp>
#include <cbridge/timer.hpp>

#include <cstdio>

int main() {
  cbridge::run([] {});
  cbridge::shutdown();
  bool ok = true;
  for (int i = 0; i < 100; i++) {
    cbridge::Timer t(std::chrono::milliseconds(0), [] { std::printf("FAIL: fired\n"); });
    ok &= !t.reset(std::chrono::milliseconds(0));
    ok &= !t.stop();
  }
  std::printf(ok ? "PASS\n" : "FAIL: stop or reset returned true\n");
  return ok ? 0 : 1;
}
