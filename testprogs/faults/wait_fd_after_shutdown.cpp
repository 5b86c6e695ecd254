// SPDX-License-Identifier: MIT
// After cbridge::shutdown() no poller runs (issue #11.4): a thread parked
// in cbridge_wait_fd wakes with CBRIDGE_ERR_SHUTDOWN; later waits, and a
// File read that would wait, fail at once (ESHUTDOWN), with one line on
// stderr for the whole process. Before the fix all of them hung (here:
// SIGALRM after 20 s). Prints PASS.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace net = cbridge::net;

static int fds[2];

static void* waiter(void*) {
  int rc;
  while ((rc = cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, -1)) == -EEXIST) {
  }
  return reinterpret_cast<void*>(static_cast<long>(rc));
}

static bool check(const char* what, long got, long want) {
  if (got == want) return true;
  std::printf("FAIL: %s: got %ld, want %ld\n", what, got, want);
  return false;
}

int main() {
  alarm(20);
  if (pipe(fds) != 0) return 1;
  net::Pipe early = net::pipe();  // adopted (and the runtime started) before shutdown
  if (early.err) return 1;
  pthread_t t;
  pthread_create(&t, nullptr, waiter, nullptr);
  int r;
  while ((r = cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, 1000000)) != -EEXIST)
    if (r != -ETIMEDOUT) return 1;
  cbridge::shutdown();
  void* rc;
  pthread_join(t, &rc);
  bool ok = check("the parked waiter", reinterpret_cast<long>(rc), CBRIDGE_ERR_SHUTDOWN);
  for (int i = 0; i < 3; i++)
    ok &= check("a wait after shutdown", cbridge_wait_fd(fds[0], CBRIDGE_WAIT_READ, -1),
                CBRIDGE_ERR_SHUTDOWN);
  char c;
  for (int i = 0; i < 3; i++)
    ok &= check("a File read after shutdown", early.reader.read(&c, 1).err.value(), ESHUTDOWN);
  auto [late, err] = net::File::adopt(fds[1]);
  ok &= check("File::adopt after shutdown", err.value(), ESHUTDOWN);
  if (!ok) return 1;
  std::printf("PASS\n");
  return 0;
}
