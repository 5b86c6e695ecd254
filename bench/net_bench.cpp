// SPDX-License-Identifier: MIT
// Netpoller benchmarks, each the twin of one in bench/peers/go/net (same
// arguments, same output). Printed as "name value" lines.
//
//   net_bench echo CONNS SIZE MS  a loopback TCP echo: CONNS client tasks,
//                                 each its own connection to a server task
//                                 per connection, send SIZE bytes and read
//                                 them back, over and over, for MS ms.
//   net_bench pipe                a pipe ping-pong between two tasks (a
//                                 park/unpark through the netpoller each way).
//   net_bench                     echo 50 64 3000, then pipe (for profiling).
//
// The echo's clients first all connect, then start together; only round
// trips between the start and the stop flag count, and the time runs from
// the start until the last client has finished its round trip in flight.
// It prints EchoRoundTripsPerSecond, EchoBytesPerSecond (payload bytes
// echoed per second, one way) and EchoRoundTrips; with one connection also
// the round trip's latency, EchoLatencyP50Us and EchoLatencyP99Us. 127.0.0.1
// only. Every run ends by printing NetpollBackend, the netpoller's backend as
// stats() reports it, and Iobatch, the I/O batch's mechanism (with its
// IobatchCallsPerSubmit), so that bench/compare.py can tell whether the
// CBRIDGE_NETPOLL and CBRIDGE_IOBATCH it set were honoured; the limit on
// open descriptors is raised first (nofile_unix.cpp, nofile_windows.cpp),
// as the Go twin does.
#include <cbridge/cbridge.hpp>
#include <cbridge/net.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace net = cbridge::net;
using Clock = std::chrono::steady_clock;

namespace {

struct EchoResult {
  double trips_per_sec = 0, secs = 0;
  long trips = 0;
  double p50_us = 0, p99_us = 0;  // one connection only
};

// A connection's read of exactly n bytes; false at an error or end of file.
bool readFull(net::Conn& c, char* buf, size_t n) {
  for (size_t got = 0; got < n;) {
    net::IoResult r = c.read(buf + got, n - got);
    if (r.err || r.n == 0) return false;
    got += r.n;
  }
  return true;
}

EchoResult echo(int conns, size_t size, std::chrono::milliseconds dur) {
  return cbridge::run([&] {
    EchoResult res;
    auto [ln, err] = net::listen_tcp("127.0.0.1", 0, 4096);
    if (err) {
      std::fprintf(stderr, "listen: %s\n", err.message().c_str());
      std::exit(1);
    }
    // The server's tasks are waited for too, so that none is left at exit.
    cbridge::WaitGroup server;
    server.add(1);
    cbridge::go([l = ln, &server, size]() mutable {
      for (;;) {
        auto [c, e] = l.accept();
        if (e) break;
        server.add(1);
        cbridge::go([c, &server, size]() mutable {
          std::vector<char> buf(size);
          for (;;) {
            net::IoResult r = c.read(buf.data(), size);
            if (r.err || r.n == 0 || c.write(buf.data(), r.n).err) break;
          }
          c.close();
          server.done();
        });
      }
      server.done();
    });
    // ready: clients connected; start: released by the main task once all
    // are; stop: read by each client once per round trip (relaxed: it only
    // needs to be seen eventually, and the WaitGroup orders the totals).
    cbridge::WaitGroup ready, start, finished;
    start.add(1);
    std::atomic<bool> stop{false};
    std::atomic<long> trips{0};
    std::atomic<int> failed{0};
    std::vector<double> lat_us;
    for (int i = 0; i < conns; i++) {
      ready.add(1);
      finished.add(1);
      cbridge::go([&, port = ln.port(), record = conns == 1] {
        auto [c, e] = net::dial_tcp("127.0.0.1", port);
        ready.done();
        if (e) {
          failed.fetch_add(1, std::memory_order_relaxed);
          finished.done();
          return;
        }
        std::vector<char> msg(size, 'x'), buf(size);
        if (record) lat_us.reserve(1 << 20);
        start.wait();
        long n = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          auto t = Clock::now();
          if (c.write(msg.data(), size).err || !readFull(c, buf.data(), size)) break;
          if (record) lat_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
          n++;
        }
        trips.fetch_add(n, std::memory_order_relaxed);
        c.close();
        finished.done();
      });
    }
    ready.wait();
    if (failed.load(std::memory_order_relaxed)) {
      std::fprintf(stderr, "echo: %d of %d connections failed\n", failed.load(), conns);
      std::exit(1);
    }
    auto t0 = Clock::now();
    start.done();
    cbridge::sleep_for(dur);
    stop.store(true, std::memory_order_relaxed);
    finished.wait();
    res.secs = std::chrono::duration<double>(Clock::now() - t0).count();
    ln.close();
    server.wait();
    res.trips = trips.load(std::memory_order_relaxed);
    res.trips_per_sec = double(res.trips) / res.secs;
    if (!lat_us.empty()) {
      std::sort(lat_us.begin(), lat_us.end());
      res.p50_us = lat_us[lat_us.size() / 2];
      res.p99_us = lat_us[lat_us.size() * 99 / 100];
    }
    return res;
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

void printEcho(int conns, size_t size, long ms) {
  EchoResult r = echo(conns, size, std::chrono::milliseconds(ms));
  std::printf("EchoRoundTripsPerSecond %.0f\n", r.trips_per_sec);
  std::printf("EchoBytesPerSecond %.0f\n", r.trips_per_sec * double(size));
  std::printf("EchoRoundTrips %ld\n", r.trips);
  if (conns == 1) {
    std::printf("EchoLatencyP50Us %.2f\n", r.p50_us);
    std::printf("EchoLatencyP99Us %.2f\n", r.p99_us);
  }
}

}  // namespace

// Lets the process open as many descriptors as 1,000 connections need.
void raiseNofileLimit();

int main(int argc, char** argv) {
  raiseNofileLimit();
  std::string only = argc > 1 ? argv[1] : "";
  if (only == "echo" && argc == 5) {
    printEcho(std::atoi(argv[2]), size_t(std::atol(argv[3])), std::atol(argv[4]));
  } else if (only == "pipe") {
    std::printf("PipePingPongNs %.1f\n", pipePingPongNs(200000));
  } else if (only.empty()) {
    printEcho(50, 64, 3000);
    std::printf("PipePingPongNs %.1f\n", pipePingPongNs(200000));
  } else {
    std::fprintf(stderr, "usage: net_bench [echo CONNS SIZE MS | pipe]\n");
    return 2;
  }
  cbridge::Stats st = cbridge::stats();
  std::printf("NetpollBackend %s\n", st.netpoll_backend);
  std::printf("Iobatch %s\n", st.iobatch);
  std::printf("IobatchCallsPerSubmit %.2f\n",
              st.iobatch_submits != 0 ? double(st.iobatch_calls) / double(st.iobatch_submits) : 0.0);
  return 0;
}
