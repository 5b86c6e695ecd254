// SPDX-License-Identifier: MIT
// Timers and netpoll waits mixed under load (issue #12.1). Each mode is a
// loop that used to end in "fatal error: notewakeup - double wakeup": a
// waker deciding how to wake the timer waiter from a flag the waiter had
// already cleared woke a note nobody slept on. Prints PASS and exits 0
// when the loop completes, with every iteration checked.
//   echo N    N connections to an echo server, each dialled with a 2 s
//             timeout (pollsetdeadline adds a timer per dial)
//   sleep N   one task blocked in accept, another in N sleep_for(1ms)
//   accept N  N accepts with a 1 ms deadline, a fresh listener each
//   read N    N reads with a 1 ms read deadline on one connection
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace net = cbridge::net;
using namespace std::chrono_literals;

namespace {

bool echo(long n) {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  if (err) return false;
  cbridge::go([l = l]() mutable {
    for (;;) {
      auto [c, e] = l.accept();
      if (e) return;
      cbridge::go([c = c]() mutable {
        char b[64];
        for (;;) {
          auto r = c.read(b, sizeof b);
          if (r.err || r.n == 0) break;
          c.write(b, r.n);
        }
        c.close();
      });
    }
  });
  for (long i = 0; i < n; i++) {
    auto [c, e] = net::dial_tcp("127.0.0.1", l.port(), 2s);
    if (e) {
      std::printf("dial %ld: %s\n", i, e.message().c_str());
      return false;
    }
    char b[5];
    c.write("hello", 5);
    size_t got = 0;
    while (got < 5) {
      auto r = c.read(b + got, 5 - got);
      if (r.err || r.n == 0) {
        std::printf("read %ld: %s\n", i, r.err ? r.err.message().c_str() : "EOF");
        return false;
      }
      got += r.n;
    }
    if (std::memcmp(b, "hello", 5) != 0) return false;
    c.close();
  }
  l.close();
  return true;
}

bool sleepBesideAccept(long n) {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  if (err) return false;
  cbridge::WaitGroup wg;
  wg.add(1);
  cbridge::go([l = l, &wg]() mutable {
    auto [c, e] = l.accept();  // ends when l is closed
    (void)c;
    (void)e;
    wg.done();
  });
  for (long i = 0; i < n; i++) cbridge::sleep_for(1ms);
  l.close();
  wg.wait();
  return true;
}

bool acceptDeadline(long n) {
  for (long i = 0; i < n; i++) {
    auto [l, err] = net::listen_tcp("127.0.0.1", 0);
    if (err) return false;
    l.set_deadline(std::chrono::steady_clock::now() + 1ms);
    auto [c, e] = l.accept();
    if (e != std::errc::timed_out) {
      std::printf("accept %ld: %s\n", i, e.message().c_str());
      return false;
    }
    l.close();
  }
  return true;
}

bool readDeadline(long n) {
  auto [l, err] = net::listen_tcp("127.0.0.1", 0);
  if (err) return false;
  auto [c, e] = net::dial_tcp("127.0.0.1", l.port());
  auto [s, e2] = l.accept();
  if (e || e2) return false;
  for (long i = 0; i < n; i++) {
    c.set_read_deadline(std::chrono::steady_clock::now() + 1ms);
    char b;
    auto r = c.read(&b, 1);
    if (r.err != std::errc::timed_out) {
      std::printf("read %ld: %s\n", i, r.err.message().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s echo|sleep|accept|read N\n", argv[0]);
    return 2;
  }
  const char* mode = argv[1];
  long n = std::atol(argv[2]);
  bool ok = false;
  cbridge::run([&] {
    if (!std::strcmp(mode, "echo")) ok = echo(n);
    else if (!std::strcmp(mode, "sleep")) ok = sleepBesideAccept(n);
    else if (!std::strcmp(mode, "accept")) ok = acceptDeadline(n);
    else if (!std::strcmp(mode, "read")) ok = readDeadline(n);
  });
  std::puts(ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
