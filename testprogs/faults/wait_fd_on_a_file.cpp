// SPDX-License-Identifier: MIT
// A wait_fd on the fd of a cbridge::net::File must not unregister the
// File (issue #11.5): a task parked reading the File still wakes when
// data arrives, and the wait_fd fails at once with -EEXIST. Before the fix
// the task slept for ever (here: SIGALRM after 20 s). Prints PASS.
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

namespace net = cbridge::net;

int main() {
  alarm(20);
  int rc = 1;
  cbridge::run([&] {
    net::Pipe p = net::pipe();
    if (p.err) return;
    std::atomic<int> got{-1};
    cbridge::WaitGroup done;
    done.add(1);
    cbridge::go([&, r = p.reader]() mutable {
      char c = 0;
      net::IoResult res = r.read(&c, 1);
      got = res.err ? -1 : c;
      done.done();
    });
    cbridge::sleep_for(std::chrono::milliseconds(5));  // the reader parks (or reads late: either passes)
    int w = cbridge_wait_fd(p.reader.fd(), CBRIDGE_WAIT_READ, 1000000);
    if (w != -EEXIST) {
      std::printf("FAIL: wait_fd on a File's fd returned %d, want -EEXIST\n", w);
      return;
    }
    p.writer.write("!", 1);
    done.wait();
    if (got != '!') {
      std::printf("FAIL: the reader got %d\n", got.load());
      return;
    }
    p.reader.close();
    p.writer.close();
    rc = 0;
  });
  if (rc == 0) std::printf("PASS\n");
  return rc;
}
