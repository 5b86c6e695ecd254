// SPDX-License-Identifier: MIT
// The I/O batch (runtime/iobatch.hpp): the socket calls of a P's tasks
// made in one io_uring_enter, and the P that holds them never idled.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cbridge/call.hpp>
#include <cbridge/cbridge.h>
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace net = cbridge::net;

namespace {

// Whether this run batches: unless CBRIDGE_IOBATCH=off, on a kernel that
// lets the process make an io_uring (CI's does).
bool batchingAskedOff() {
  const char* v = getenv("CBRIDGE_IOBATCH");
  return v != nullptr && strcmp(v, "off") == 0;
}

// echoPairs runs n connections (Unix stream socket pairs), each a client
// task sending `trips` distinct 64-byte messages and a server task echoing
// them; every reply must be the message sent. Returns the round trips
// that came back intact. thenRun runs once they are all started, before
// the wait.
template <typename F>
long echoPairs(int n, int trips, F thenRun) {
  std::atomic<long> good{0};
  cbridge::WaitGroup wg;
  for (int i = 0; i < n; i++) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    auto [client, e1] = net::File::adopt(sv[0]);
    auto [server, e2] = net::File::adopt(sv[1]);
    if (e1 || e2) return -1;
    wg.add(2);
    cbridge::go([server = server, &wg]() mutable {
      char buf[64];
      for (;;) {
        net::IoResult r = server.read(buf, sizeof buf);
        if (r.err || r.n == 0 || server.write(buf, r.n).err) break;
      }
      server.close();
      wg.done();
    });
    cbridge::go([client = client, i, trips, &good, &wg]() mutable {
      char msg[64], got[64];
      for (int t = 0; t < trips; t++) {
        memset(msg, 'a' + (i + t) % 26, sizeof msg);
        msg[0] = char(t);
        if (client.write(msg, sizeof msg).err) break;
        size_t have = 0;
        while (have < sizeof got) {
          net::IoResult r = client.read(got + have, sizeof got - have);
          if (r.err || r.n == 0) break;
          have += r.n;
        }
        if (have != sizeof got || memcmp(msg, got, sizeof got) != 0) break;
        good.fetch_add(1, std::memory_order_relaxed);
      }
      client.close();
      wg.done();
    });
  }
  thenRun();
  wg.wait();
  return good.load();
}

long echoPairs(int n, int trips) {
  return echoPairs(n, trips, [] {});
}

TEST(Iobatch, RunsAsAsked) {
  cbridge::run([] { echoPairs(2, 10); });
  uint64_t on = 2;
  EXPECT_EQ(cbridge_stat("iobatch_uring", &on), 0);
  if (batchingAskedOff()) {
    EXPECT_STREQ(cbridge::stats().iobatch, "off");
    EXPECT_EQ(on, 0u);
  } else {
    EXPECT_STREQ(cbridge::stats().iobatch, "io_uring");
    EXPECT_EQ(on, 1u);
  }
}

// stats() says what will run before any task batched a call: a program
// whose tasks only ping-pong alone on their P never makes a ring.
TEST(Iobatch, StatsSayItBeforeTheFirstBatch) {
  EXPECT_STREQ(cbridge::stats().iobatch, batchingAskedOff() ? "off" : "io_uring");
}

// Many connections' calls go out together: more calls than system calls,
// and every byte comes back where it belongs.
TEST(Iobatch, ManyConnectionsShareSystemCalls) {
  cbridge::Stats before = cbridge::stats();
  long good = cbridge::run([] { return echoPairs(32, 200); });
  EXPECT_EQ(good, 32 * 200);
  cbridge::Stats after = cbridge::stats();
  uint64_t calls = after.iobatch_calls - before.iobatch_calls;
  uint64_t submits = after.iobatch_submits - before.iobatch_submits;
  if (batchingAskedOff()) {
    EXPECT_EQ(calls, 0u);
    return;
  }
  // 32 × 200 round trips are at least 4 calls each (two writes, two reads).
  EXPECT_GT(calls, 32u * 200u) << "the socket calls were not batched";
  EXPECT_GE(calls, 2 * submits) << calls << " calls in " << submits << " system calls";
}

// wait_readable is a foreign call that blocks until fd is readable, at
// most ms milliseconds; 1 if it became readable.
int waitReadable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1 ? 1 : 0;
}

// A task goes into a long foreign call while its P holds other tasks'
// batched calls: sysmon hands the P to another M, which must submit them
// (the P's queued calls are work, so handoffp does not idle it). The
// foreign call waits for the connections to finish, so if the batch were
// stranded with the P, nothing would end it but the call's 10 s limit.
TEST(Iobatch, AForeignCallDoesNotStrandItsPsBatch) {
  int done[2];
  ASSERT_EQ(pipe(done), 0);
  int rounds = 0, finishedInCall = 0;
  cbridge::run([&] {
    for (int round = 0; round < 20; round++) {
      cbridge::WaitGroup wg;
      wg.add(1);
      // Spawned after the connections, and followed by a task that does
      // nothing, which takes runnext: it is last on the P's queue, so it
      // enters its call when every connection has queued its first call
      // and parked, with nothing else on the P.
      long good = echoPairs(8, 50, [&] {
        cbridge::go([&] {
          if (cbridge::call(waitReadable, done[0], 10000) == 1) finishedInCall++;
          char c;
          EXPECT_EQ(read(done[0], &c, 1), 1);
          wg.done();
        });
        cbridge::go([] {});
      });
      EXPECT_EQ(good, 8 * 50);
      EXPECT_EQ(write(done[1], "x", 1), 1);
      wg.wait();
      rounds++;
    }
  });
  close(done[0]);
  close(done[1]);
  EXPECT_EQ(rounds, 20);
  EXPECT_EQ(finishedInCall, 20);
}

}  // namespace
