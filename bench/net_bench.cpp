// SPDX-License-Identifier: MIT
// Netpoller benchmarks, each the twin of one in bench/peers/go/net:
// a loopback TCP echo (50 connections, 64-byte request/response, for a
// fixed time) and a pipe ping-pong between two tasks (a park/unpark
// through the netpoller each way). Printed as "name value" lines.
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace net = cbridge::net;
using Clock = std::chrono::steady_clock;

namespace {

double echoRoundTripsPerSecond(int conns, std::chrono::milliseconds dur) {
  return cbridge::run([&] {
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0, 1024);
    if (err) {
      std::fprintf(stderr, "listen: %s\n", err.message().c_str());
      return 0.0;
    }
    // The server's tasks are waited for too, so that none is left at exit.
    cbridge::WaitGroup server;
    server.add(1);
    cbridge::go([l = ln, &server]() mutable {
      for (;;) {
        auto [c, e] = l.accept();
        if (e) break;
        server.add(1);
        cbridge::go([c, &server]() mutable {
          char buf[64];
          for (;;) {
            net::IoResult r = c.read(buf, sizeof buf);
            if (r.err || r.n == 0 || c.write(buf, r.n).err) break;
          }
          c.close();
          server.done();
        });
      }
      server.done();
    });
    std::atomic<long> trips{0};
    std::atomic<bool> stop{false};
    cbridge::WaitGroup wg;
    for (int i = 0; i < conns; i++) {
      wg.add(1);
      cbridge::go([&, port = ln.port()] {
        auto [c, e] = net::dial_tcp("127.0.0.1", port);
        if (e) {
          wg.done();
          return;
        }
        char msg[64] = {}, buf[64];
        long n = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          if (c.write(msg, sizeof msg).err) break;
          size_t got = 0;
          while (got < sizeof buf) {
            net::IoResult r = c.read(buf + got, sizeof buf - got);
            if (r.err || r.n == 0) break;
            got += r.n;
          }
          n++;
        }
        trips += n;
        c.close();
        wg.done();
      });
    }
    auto t0 = Clock::now();
    cbridge::sleep_for(dur);
    stop = true;
    wg.wait();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    ln.close();
    server.wait();
    return double(trips.load()) / secs;
  });
}

double pipePingPongNs(long rounds) {
  return cbridge::run([&] {
    net::Pipe a = net::pipe(), b = net::pipe();
    cbridge::WaitGroup wg;
    wg.add(1);
    cbridge::go([&, r = a.reader, w = b.writer]() mutable {
      char c;
      for (long i = 0; i < rounds; i++) {
        r.read(&c, 1);
        w.write(&c, 1);
      }
      wg.done();
    });
    auto t0 = Clock::now();
    char c = 'x';
    for (long i = 0; i < rounds; i++) {
      a.writer.write(&c, 1);
      b.reader.read(&c, 1);
    }
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    wg.wait();
    return ns / double(rounds);
  });
}

}  // namespace

// With an argument (echo or pipe) runs only that one, for profiling.
int main(int argc, char** argv) {
  std::string only = argc > 1 ? argv[1] : "";
  if (only.empty() || only == "echo")
    std::printf("EchoRoundTripsPerSecond %.0f\n", echoRoundTripsPerSecond(50, std::chrono::milliseconds(3000)));
  if (only.empty() || only == "pipe") std::printf("PipePingPongNs %.1f\n", pipePingPongNs(200000));
  return 0;
}
